namespace AnomalyClip.Inference.Detection;

/// <summary>Progress of a run over image files.</summary>
/// <param name="Done">Files read so far (including this one).</param>
/// <param name="Total">Files in the run.</param>
/// <param name="File">The file just read.</param>
public readonly record struct FileProgress(int Done, int Total, string File);
