namespace AnomalyClip.Clip;

/// <summary>
/// A model, weight or configuration file could not be used: it is missing, truncated, corrupt, of an unknown
/// format, or its contents do not fit the model (missing, unexpected or mis-shaped keys).
/// </summary>
public sealed class ModelLoadException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message names the file.</summary>
    public ModelLoadException(string path, string message, Exception? inner = null)
        : base(path, message, inner)
    {
    }

    /// <summary>The file (or folder) that could not be loaded.</summary>
    public string FilePath => Subject;
}
