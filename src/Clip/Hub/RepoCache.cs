using System.Text.RegularExpressions;
using AnomalyClip.Clip.IO;

namespace AnomalyClip.Clip.Hub;

/// <summary>
/// One model repo in the Hugging Face hub cache, in huggingface_hub's layout so that both sides reuse each other's
/// downloads:
/// <c>models--{org}--{name}/refs/{revision}</c> holds a commit hash (no newline),
/// <c>blobs/{etag}</c> holds file contents named by the hub's ETag (the sha256 for LFS files),
/// <c>snapshots/{commit}/{file}</c> is a relative symlink to <c>../../blobs/{etag}</c>.
/// Where symlinks cannot be made (Windows without developer mode) the blob is moved into the snapshot instead,
/// which is what huggingface_hub does there too.
/// </summary>
internal sealed partial class RepoCache(string cacheDir, string repoId)
{
    public string RepoId { get; } = repoId;

    public string RepoDir { get; } = Path.Combine(cacheDir, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    public string BlobPath(string etag) => Path.Combine(RepoDir, "blobs", etag);

    public string SnapshotDir(string commit) => Path.Combine(RepoDir, "snapshots", commit);

    public string RefPath(string revision) => Path.Combine(RepoDir, "refs", revision);

    public static bool IsCommitHash(string revision) => CommitPattern().IsMatch(revision);

    /// <summary>The commit a revision points at in the cache; null when the cache has no record of it.</summary>
    public string? CommitOf(string revision)
    {
        if (IsCommitHash(revision)) return revision;
        var refPath = RefPath(revision);
        if (!File.Exists(refPath)) return null;
        var commit = File.ReadAllText(refPath).Trim();
        return IsCommitHash(commit) ? commit
            : throw new ModelLoadException(refPath, $"does not hold a 40-hex commit hash (found '{Shorten(commit)}'); delete it to refetch");
    }

    /// <summary>Path of <paramref name="file"/> in the snapshot if it can be read (a dangling link counts as absent).</summary>
    public string? Find(string commit, string file)
    {
        var path = Path.Combine(SnapshotDir(commit), file);
        return HubFiles.IsReadableFile(path) ? path : null;
    }

    /// <summary>The complete model in a snapshot, or null with the names of the required files it lacks.</summary>
    public ResolvedModel? TryDescribe(string commit, ModelSource source, PretrainedModel? pretrained, out List<string> missing)
    {
        missing = [];
        var config = Find(commit, HubFiles.Config);
        if (config is null) missing.Add(HubFiles.Config);
        var weights = HubFiles.Weights.Select(f => Find(commit, f)).FirstOrDefault(p => p is not null);
        if (weights is null) missing.Add(string.Join(" or ", HubFiles.Weights));
        if (missing.Count > 0) return null;
        return LocalModel.Describe(SnapshotDir(commit), weights!, HubFiles.FormatOf(weights!), source, RepoId, commit, pretrained);
    }

    /// <summary>Records that <paramref name="revision"/> points at <paramref name="commit"/> (no-op for a commit hash).</summary>
    public void WriteRef(string revision, string commit)
    {
        if (IsCommitHash(revision)) return;
        AtomicFile.WriteAllText(RefPath(revision), commit);
    }

    /// <summary>Makes <c>snapshots/{commit}/{file}</c> point at the complete blob <paramref name="etag"/>, atomically.</summary>
    public string Link(string commit, string file, string etag)
    {
        var dir = SnapshotDir(commit);
        Directory.CreateDirectory(dir);
        var target = Path.Combine(dir, file);
        var temp = Path.Combine(dir, $".{file}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.CreateSymbolicLink(temp, Path.Combine("..", "..", "blobs", etag));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Move(BlobPath(etag), temp);
        }
        File.Move(temp, target, overwrite: true);
        return target;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "...";

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
