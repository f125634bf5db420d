namespace AnomalyClip.Clip.Hub;

/// <summary>
/// How far the download of one file has got. Reported when a transfer starts (or resumes), about every MiB, and
/// once with <see cref="BytesDone"/> equal to <see cref="TotalBytes"/> when it ends.
/// </summary>
/// <param name="RepoId">The Hugging Face repo id (<c>org/name</c>).</param>
/// <param name="FileName">The file name inside the repo.</param>
/// <param name="BytesDone">Bytes on disk so far, including any resumed part (bytes).</param>
/// <param name="TotalBytes">Size of the complete file (bytes).</param>
public readonly record struct DownloadProgress(string RepoId, string FileName, long BytesDone, long TotalBytes)
{
    /// <summary>Fraction done, 0 to 1 (1 for an empty file).</summary>
    public double Fraction => TotalBytes <= 0 ? 1.0 : (double)BytesDone / TotalBytes;

    /// <summary>True when the file is complete.</summary>
    public bool IsComplete => BytesDone >= TotalBytes;
}
