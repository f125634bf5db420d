using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Training.Datasets;

/// <summary>
/// APRIL-GAN's mosaic augmentation for MVTec training (spec §7, <c>dataset.py</c> <c>combine_img</c>): with probability
/// p a training sample is replaced by a 2x2 mosaic of four test images of the same class. For each tile a defect
/// type is drawn uniformly (<c>good</c> included), then an image of that type uniformly. The canvas is twice the first
/// tile's width and height; tiles are pasted row-major at (0,0), (W,0), (0,H), (W,H), a larger tile being clipped and a
/// smaller one leaving black. The mask is the tiles' masks binarised (&gt; 0 → 255) and pasted the same way; normal
/// tiles contribute zeros.
/// <para>
/// Differences from the reference: images are drawn from the dataset's test-split records rather than by listing
/// folders, so a tile's mask is the one paired at load time (the reference rebuilds it as <c>{file[:3]}_mask.png</c>,
/// the same file for MVTec's three-digit names); and the random stream is <see cref="Random"/>, not Python's, so the
/// draws are reproducible for a seed but not equal to the reference's.
/// </para>
/// </summary>
public sealed class MosaicAugmentation
{
    /// <summary>The paper's mosaic probability for MVTec training (<c>--aug_rate 0.2</c>).</summary>
    public const double PaperProbability = 0.2;

    // A 2x2 mosaic of 1024x1024 MVTec tiles needs 12 MiB; the cap only stops corrupt or hostile headers.
    private static readonly Configuration Decoding = CreateDecodingConfiguration();

    private readonly Dictionary<string, List<List<AnomalySample>>> _groups = new(StringComparer.Ordinal);
    private readonly Random _random;

    /// <summary>Prepares mosaics over the test split of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">Tiles are drawn from its test split, per class, grouped by defect type in dataset order.</param>
    /// <param name="probability">Chance in [0, 1] that <see cref="MaybeCreate"/> makes a mosaic.</param>
    /// <param name="random">The random stream for every draw (pass a seeded one for reproducible runs).</param>
    public MosaicAugmentation(AnomalyDataset dataset, double probability, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        Probability = probability;
        _random = random;
        foreach (var (cls, samples) in dataset.Test)
        {
            var byDefect = new List<List<AnomalySample>>();
            foreach (var group in samples.GroupBy(s => s.DefectType, StringComparer.Ordinal)) byDefect.Add(group.ToList());
            _groups[cls] = byDefect;
        }
    }

    /// <summary>The chance that <see cref="MaybeCreate"/> makes a mosaic.</summary>
    public double Probability { get; }

    /// <summary>
    /// Draws once (like the reference's <c>random.random() &lt; aug_rate</c>, drawn for every sample); below
    /// <see cref="Probability"/> returns a mosaic of <paramref name="className"/>, otherwise <see langword="null"/>
    /// (use the original sample).
    /// </summary>
    public MosaicImage? MaybeCreate(string className) =>
        _random.NextDouble() < Probability ? Compose(PickTiles(className)) : null;

    /// <summary>Draws the four tiles of a mosaic of <paramref name="className"/>: defect type, then image, per tile.</summary>
    /// <exception cref="ArgumentException">The class is unknown or has no test images.</exception>
    public IReadOnlyList<AnomalySample> PickTiles(string className)
    {
        if (!_groups.TryGetValue(className, out var groups) || groups.Count == 0)
            throw new ArgumentException($"class '{className}' has no test images to build a mosaic from", nameof(className));
        var tiles = new AnomalySample[4];
        for (var i = 0; i < tiles.Length; i++)
        {
            var group = groups[_random.Next(groups.Count)];
            tiles[i] = group[_random.Next(group.Count)];
        }
        return tiles;
    }

    /// <summary>Decodes four tiles and composes the mosaic image (8-bit RGB) and its 0/255 mask.</summary>
    /// <exception cref="DatasetException">A tile cannot be decoded, or an anomalous tile has no mask.</exception>
    public static MosaicImage Compose(IReadOnlyList<AnomalySample> tiles)
    {
        if (tiles.Count != 4) throw new ArgumentException("a mosaic has exactly 4 tiles", nameof(tiles));
        Image<Rgb24>? canvas = null;
        Image<L8>? mask = null;
        try
        {
            for (var i = 0; i < 4; i++)
            {
                using var tile = Load<Rgb24>(tiles[i].ImagePath);
                if (canvas is null)
                {
                    canvas = new Image<Rgb24>(Decoding, 2 * tile.Width, 2 * tile.Height);
                    mask = new Image<L8>(Decoding, canvas.Width, canvas.Height);
                }
                var x = i % 2 * (canvas.Width / 2);
                var y = i / 2 * (canvas.Height / 2);
                Paste(canvas, tile, x, y);
                if (tiles[i].MaskPath is { } maskPath)
                {
                    using var tileMask = Load<L8>(maskPath);
                    Binarise(tileMask);
                    Paste(mask!, tileMask, x, y);
                }
                else if (tiles[i].IsAnomaly)
                {
                    throw new DatasetException(tiles[i].ImagePath, "anomalous mosaic tile has no mask");
                }
            }
            return new MosaicImage(canvas!, mask!, tiles.ToArray());
        }
        catch
        {
            canvas?.Dispose();
            mask?.Dispose();
            throw;
        }
    }

    /// <summary>Copies <paramref name="tile"/> into <paramref name="canvas"/> with its top-left at (x, y), clipped to the canvas.</summary>
    private static void Paste<TPixel>(Image<TPixel> canvas, Image<TPixel> tile, int x, int y) where TPixel : unmanaged, IPixel<TPixel>
    {
        var width = Math.Min(tile.Width, canvas.Width - x);
        var height = Math.Min(tile.Height, canvas.Height - y);
        canvas.ProcessPixelRows(tile, (dst, src) =>
        {
            for (var row = 0; row < height; row++)
                src.GetRowSpan(row)[..width].CopyTo(dst.GetRowSpan(y + row).Slice(x, width));
        });
    }

    private static void Binarise(Image<L8> mask) => mask.ProcessPixelRows(rows =>
    {
        for (var y = 0; y < rows.Height; y++)
            foreach (ref var p in rows.GetRowSpan(y))
                p.PackedValue = p.PackedValue > 0 ? (byte)255 : (byte)0;
    });

    private static Image<TPixel> Load<TPixel>(string path) where TPixel : unmanaged, IPixel<TPixel>
    {
        try
        {
            return Image.Load<TPixel>(Decoding, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageFormatException or NotSupportedException or InvalidMemoryOperationException)
        {
            throw new DatasetException(path, $"cannot decode image ({e.Message})", e);
        }
    }

    private static Configuration CreateDecodingConfiguration()
    {
        var config = Configuration.Default.Clone();
        config.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = 1024 });
        return config;
    }
}
