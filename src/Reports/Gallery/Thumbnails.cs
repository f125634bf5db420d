using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace AnomalyClip.Reports.Gallery;

/// <summary>
/// Turns overlay files into small embedded JPEG thumbnails (ImageSharp 2.x). A missing, unreadable or absurdly
/// large file yields a <see cref="Thumbnail.Missing"/> placeholder instead of an exception, so one bad overlay
/// never costs the whole report.
/// </summary>
internal static class Thumbnails
{
    // Overlays are map-sized (a few hundred pixels); anything beyond this is not an overlay.
    private const long MaxPixels = 64L * 1024 * 1024;

    private static readonly Configuration Decoding = CreateConfiguration();

    /// <summary>Loads <paramref name="path"/>, downscales it to at most <paramref name="maxSide"/> pixels on the long side and encodes it.</summary>
    public static Thumbnail Load(string? path, int maxSide, int quality)
    {
        if (string.IsNullOrEmpty(path)) return Thumbnail.Missing("no overlay");
        if (!File.Exists(path)) return Thumbnail.Missing("overlay file not found");
        try
        {
            using var file = File.OpenRead(path);
            var info = Image.Identify(Decoding, file);
            if (info is null) return Thumbnail.Missing("overlay is not a readable image");
            if ((long)info.Width * info.Height > MaxPixels) return Thumbnail.Missing($"overlay too large ({info.Width}×{info.Height})");

            file.Position = 0;
            using var image = Image.Load<Rgb24>(Decoding, file);
            var (w, h) = FitInside(image.Width, image.Height, maxSide);
            if (w != image.Width || h != image.Height)
                image.Mutate(x => x.Resize(w, h, KnownResamplers.Bicubic));
            using var buffer = new MemoryStream();
            image.Save(buffer, new JpegEncoder { Quality = quality });
            return new Thumbnail("data:image/jpeg;base64," + Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length), w, h, null);
        }
        catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return Thumbnail.Missing("overlay is not a readable image");
        }
    }

    /// <summary>The size of a <paramref name="width"/>×<paramref name="height"/> image scaled down (never up) so its long side is at most <paramref name="maxSide"/>.</summary>
    public static (int Width, int Height) FitInside(int width, int height, int maxSide)
    {
        int longSide = Math.Max(width, height);
        if (longSide <= maxSide) return (width, height);
        double scale = (double)maxSide / longSide;
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static Configuration CreateConfiguration()
    {
        var config = Configuration.Default.Clone();
        config.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = 512 });
        return config;
    }
}
