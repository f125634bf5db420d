using SixLabors.ImageSharp;

namespace AnomalyClip.Training.Datasets;

/// <summary>Reads image sizes from file headers only (no pixel decoding).</summary>
internal static class ImageHeader
{
    /// <summary>Width and height in pixels of the image at <paramref name="path"/>; a <see cref="DatasetException"/> when it cannot be identified.</summary>
    public static (int Width, int Height) Size(string path)
    {
        IImageInfo? info;
        try
        {
            info = Image.Identify(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ImageFormatException or NotSupportedException)
        {
            throw new DatasetException(path, $"unreadable image ({e.Message})", e);
        }
        if (info is null) throw new DatasetException(path, "unreadable image (not a known image format)");
        return (info.Width, info.Height);
    }
}
