namespace AnomalyClip.Clip;

/// <summary>
/// An image file could not be decoded: it is missing, truncated, corrupt, of an unsupported format, or larger than
/// the configured pixel limit (decompression-bomb defence).
/// </summary>
public sealed class ImageLoadException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message names the file.</summary>
    public ImageLoadException(string path, string message, Exception? inner = null)
        : base(path, message, inner)
    {
    }

    /// <summary>The image file that could not be loaded.</summary>
    public string FilePath => Subject;
}
