using AnomalyClip.Clip.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>Writes overlays and masks as PNG files atomically (temporary file, then rename), creating folders as needed.</summary>
public static class AtomicPng
{
    private static readonly PngEncoder RgbEncoder = new() { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 };
    private static readonly PngEncoder GreyEncoder = new() { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };

    /// <summary>Saves an RGB image (8 bits per channel) to <paramref name="path"/>; readers never see a partial file.</summary>
    public static void SavePng(this Image<Rgb24> image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => image.Save(stream, RgbEncoder));
    }

    /// <summary>Saves a grey image (8 bits) to <paramref name="path"/>; readers never see a partial file.</summary>
    public static void SavePng(this Image<L8> image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream => image.Save(stream, GreyEncoder));
    }
}
