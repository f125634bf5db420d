using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace AnomalyClip.Clip.Hub;

/// <summary>
/// Downloads one file into its cache blob. Bytes go to <c>blobs/{etag}.incomplete</c> (held open exclusively, so a
/// second download of the same blob waits for the first instead of interleaving); an interrupted transfer is resumed with an HTTP
/// Range request, both within a call (<see cref="ResolveOptions.DownloadRetries"/>) and by a later call. The size
/// must match what the hub advertised and the sha256 must match the advertised or expected hash; only then is the
/// file renamed to its blob name. A file found corrupt (wrong size or hash) is deleted; a merely truncated one is
/// kept for resuming; neither ever carries the blob name.
/// </summary>
internal sealed class BlobDownloader(HubClient client, HubSettings settings, IProgress<DownloadProgress>? progress)
{
    private const int ReportEveryBytes = 1 << 20;
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);
    private bool discardPartial;

    public async Task DownloadAsync(HubFileMetadata meta, string blobPath, CancellationToken ct)
    {
        var expected = ExpectedSha256(meta);
        var partial = blobPath + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        var file = await OpenExclusiveAsync(partial, blobPath, meta, ct).ConfigureAwait(false);
        if (file is null) return;
        try
        {
            await using (file.ConfigureAwait(false))
            {
                await TransferAsync(file, meta, partial, ct).ConfigureAwait(false);
                if (expected is not null)
                {
                    file.Position = 0;
                    var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
                    if (actual != expected)
                    {
                        discardPartial = true;
                        throw new ModelLoadException(partial,
                            $"{meta.Display}: checksum mismatch: sha256 of the {meta.Size} downloaded bytes is {actual}, expected {expected}; the download was deleted");
                    }
                }
            }
            try
            {
                File.Move(partial, blobPath, overwrite: true);
            }
            catch (FileNotFoundException) when (File.Exists(blobPath))
            {
                // A download that held the lock just before us completed the same blob between our open and this rename.
            }
        }
        catch when (discardPartial)
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>
    /// Opens the partial file exclusively. While another download (another process, or thread) holds it, waits as
    /// long as that one makes progress; returns null if it completed the blob meanwhile.
    /// </summary>
    private async Task<FileStream?> OpenExclusiveAsync(string partial, string blobPath, HubFileMetadata meta, CancellationToken ct)
    {
        var lastLength = -1L;
        var sinceChange = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var file = new FileStream(partial, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
                if (!File.Exists(blobPath)) return file;
                await file.DisposeAsync().ConfigureAwait(false);
                File.Delete(partial);
                return null;
            }
            catch (IOException e)
            {
                var length = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                if (length != lastLength)
                {
                    lastLength = length;
                    sinceChange.Restart();
                }
                else if (sinceChange.Elapsed > settings.Options.Timeout)
                    throw new ModelLoadException(partial,
                        $"{meta.Display}: another download of this file holds it and has made no progress for {settings.Options.Timeout.TotalSeconds:0} s", e);
                await Task.Delay(LockPollInterval, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task TransferAsync(FileStream file, HubFileMetadata meta, string partial, CancellationToken ct)
    {
        var retries = settings.Options.DownloadRetries;
        for (var attempt = 0; ; attempt++)
        {
            if (file.Length > meta.Size) file.SetLength(0);
            if (file.Length == meta.Size) return;
            Exception? failure = null;
            try
            {
                using var response = await client.GetAsync(meta.DownloadUrl, file.Length, ct).ConfigureAwait(false);
                var offset = StartOffset(response, meta, file);
                file.Position = offset;
                progress?.Report(new DownloadProgress(meta.RepoId, meta.FileName, offset, meta.Size));
                var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using (body.ConfigureAwait(false)) await CopyAsync(body, file, meta, ct).ConfigureAwait(false);
                if (file.Length == meta.Size) return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException && !ct.IsCancellationRequested)
            {
                failure = e;
            }
            await file.FlushAsync(ct).ConfigureAwait(false);
            if (attempt >= retries)
                throw new ModelLoadException(partial,
                    $"{meta.Display}: truncated download: got {file.Length} of {meta.Size} bytes after {attempt + 1} attempt(s)" +
                    (failure is null ? "" : $" ({failure.Message})") + "; the partial file is kept and the next call resumes it", failure);
            await Task.Delay(settings.Options.RetryDelay * (attempt + 1), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Where the response body starts in the file, after checking it against the advertised size.</summary>
    private long StartOffset(HttpResponseMessage response, HubFileMetadata meta, FileStream file)
    {
        var requested = file.Length;
        var headers = response.Content.Headers;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when requested > 0:
                var range = headers.ContentRange;
                if (range?.From != requested || (range.HasLength && range.Length != meta.Size))
                    throw Corrupt(meta, $"the server answered the resume request for bytes {requested}- with range '{range}'");
                if (headers.ContentLength is { } partLength && requested + partLength != meta.Size)
                    throw Corrupt(meta, $"size mismatch: {requested} bytes resumed + {partLength} sent != {meta.Size} advertised");
                return requested;
            case HttpStatusCode.OK:
                // The server ignored the Range header: start over.
                file.SetLength(0);
                if (headers.ContentLength is { } length && length != meta.Size)
                    throw Corrupt(meta, $"size mismatch: the server sends {length} bytes, the hub advertised {meta.Size}");
                return 0;
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                throw Corrupt(meta, $"size mismatch: the server has fewer than the {requested} bytes already downloaded, the hub advertised {meta.Size}");
            default:
                client.ThrowIfFailed(response, meta.DownloadUrl, meta.RepoId, meta.FileName);
                throw Corrupt(meta, $"unexpected HTTP {(int)response.StatusCode} for a download");
        }
    }

    private async Task CopyAsync(Stream body, FileStream file, HubFileMetadata meta, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        var lastReported = file.Position;
        using var readTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        while (true)
        {
            readTimeout.CancelAfter(settings.Options.Timeout);
            int n;
            try
            {
                n = await body.ReadAsync(buffer, readTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no data for {settings.Options.Timeout.TotalSeconds:0} s");
            }
            if (n == 0) return;
            if (file.Position + n > meta.Size)
                throw Corrupt(meta, $"size mismatch: the server sent more than the {meta.Size} bytes advertised");
            await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            if (file.Position - lastReported >= ReportEveryBytes || file.Position == meta.Size)
            {
                lastReported = file.Position;
                progress?.Report(new DownloadProgress(meta.RepoId, meta.FileName, file.Position, meta.Size));
            }
        }
    }

    private ModelLoadException Corrupt(HubFileMetadata meta, string what)
    {
        discardPartial = true;
        return new ModelLoadException(meta.DownloadUrl.ToString(), $"{meta.Display}: {what}; the download was deleted");
    }

    private string? ExpectedSha256(HubFileMetadata meta)
    {
        string? given = null;
        if (settings.Options.ExpectedSha256?.TryGetValue(meta.FileName, out var g) == true)
        {
            given = g.Trim().ToLowerInvariant();
            if (given.Length != 64 || !given.All(char.IsAsciiHexDigit))
                throw new ArgumentException($"ExpectedSha256[{meta.FileName}] is not 64 hex digits: '{g}'");
        }
        if (given is not null && meta.Sha256 is { } advertised && advertised != given)
            throw new ModelLoadException(meta.DownloadUrl.ToString(),
                $"{meta.Display}: checksum mismatch before download: the hub advertises sha256 {advertised}, expected {given}");
        return given ?? meta.Sha256;
    }
}
