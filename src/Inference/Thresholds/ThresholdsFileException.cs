using AnomalyClip.Clip;

namespace AnomalyClip.Inference.Thresholds;

/// <summary>A thresholds file (<see cref="DetectorThresholds"/>) is missing, unreadable, not valid JSON or holds invalid values.</summary>
public sealed class ThresholdsFileException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message names the file.</summary>
    public ThresholdsFileException(string path, string message, Exception? inner = null)
        : base(path, message, inner)
    {
    }

    /// <summary>The thresholds file that could not be used.</summary>
    public string FilePath => Subject;
}
