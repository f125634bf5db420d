using AnomalyClip.Clip;

namespace AnomalyClip.Training.Datasets;

/// <summary>
/// A dataset on disk cannot be used as it is: a folder or file is missing, a class is empty, an image and its mask
/// do not pair up or differ in size, an image cannot be read, or an index file (CSV, meta.json) is malformed.
/// The message names the offending file or folder and says what is wrong with it.
/// </summary>
public sealed class DatasetException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message starts with the path.</summary>
    public DatasetException(string path, string message, Exception? inner = null)
        : base(path, message, inner)
    {
    }

    /// <summary>The file or folder the problem was found in.</summary>
    public string FilePath => Subject;
}
