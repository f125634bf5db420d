namespace AnomalyClip.Clip.Hub;

/// <summary>What the hub says about one file of a repo revision (from the HEAD of its <c>resolve</c> URL).</summary>
/// <param name="RepoId">The repo id.</param>
/// <param name="FileName">The file name inside the repo.</param>
/// <param name="Commit">The 40-hex commit the revision resolved to (<c>X-Repo-Commit</c>).</param>
/// <param name="Etag">The normalised ETag (<c>X-Linked-Etag</c>, else <c>ETag</c>): the sha256 for LFS files; names the blob.</param>
/// <param name="Size">The file size in bytes (<c>X-Linked-Size</c>, else <c>Content-Length</c>).</param>
/// <param name="DownloadUrl">Where to GET the content (the CDN location for LFS files).</param>
internal sealed record HubFileMetadata(string RepoId, string FileName, string Commit, string Etag, long Size, Uri DownloadUrl)
{
    /// <summary>The advertised sha256 when the ETag is one (64 hex digits, as the hub sends for LFS files).</summary>
    public string? Sha256 => Etag.Length == 64 && Etag.All(char.IsAsciiHexDigit) ? Etag.ToLowerInvariant() : null;

    /// <summary>A short name for messages: <c>org/name/file</c>.</summary>
    public string Display => $"{RepoId}/{FileName}";
}
