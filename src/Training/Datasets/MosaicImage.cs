using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Training.Datasets;

/// <summary>A composed 2x2 mosaic (see <see cref="MosaicAugmentation"/>); owns and disposes both images.</summary>
public sealed class MosaicImage : IDisposable
{
    internal MosaicImage(Image<Rgb24> image, Image<L8> mask, IReadOnlyList<AnomalySample> tiles)
    {
        Image = image;
        Mask = mask;
        Tiles = tiles;
    }

    /// <summary>The mosaic, 8-bit RGB, twice the first tile's width and height.</summary>
    public Image<Rgb24> Image { get; }

    /// <summary>The mosaic's ground truth, same size: 255 on defective pixels, 0 elsewhere.</summary>
    public Image<L8> Mask { get; }

    /// <summary>The four tiles, row-major: top-left, top-right, bottom-left, bottom-right.</summary>
    public IReadOnlyList<AnomalySample> Tiles { get; }

    /// <summary>Whether any tile is anomalous. The reference keeps the replaced sample's label instead; only the mask is used for training.</summary>
    public bool IsAnomaly => Tiles.Any(t => t.IsAnomaly);

    /// <inheritdoc />
    public void Dispose()
    {
        Image.Dispose();
        Mask.Dispose();
    }
}
