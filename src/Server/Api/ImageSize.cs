using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace AnomalyClip.Server.Api;

/// <summary>An image's size from its header alone, so an oversized upload is refused (413) before any pixel is decoded.</summary>
internal static class ImageSize
{
    /// <summary>Width × height, or null when the header is not recognised (the decoder then says why, as a 400).</summary>
    public static long? Pixels(byte[] data)
    {
        try
        {
            var info = Image.Identify(data);
            return info is null ? null : (long)info.Width * info.Height;
        }
        catch (Exception e) when (e is ImageFormatException or InvalidMemoryOperationException or NotSupportedException
                                      or EndOfStreamException or IOException or InvalidDataException)
        {
            return null;
        }
    }
}
