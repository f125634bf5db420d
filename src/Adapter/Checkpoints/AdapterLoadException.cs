using AnomalyClip.Clip;

namespace AnomalyClip.Adapter.Checkpoints;

/// <summary>An adapter checkpoint is missing, corrupt, or does not fit the backbone it is used with.</summary>
public sealed class AdapterLoadException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message names the file.</summary>
    public AdapterLoadException(string path, string message, Exception? inner = null)
        : base(path, message, inner)
    {
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath => Subject;
}
