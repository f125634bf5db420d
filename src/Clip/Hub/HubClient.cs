using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace AnomalyClip.Clip.Hub;

/// <summary>
/// The few hub requests the resolver needs: file metadata (HEAD on <c>{endpoint}/{repo}/resolve/{revision}/{file}</c>)
/// and content GETs with an optional byte offset. Redirects are followed by hand: for metadata only relative ones
/// (a renamed repo), because the hub puts the commit, ETag and size on the redirect to the CDN, as huggingface_hub
/// relies on; for content, all of them. The token goes only to the endpoint's own host.
/// </summary>
internal sealed partial class HubClient : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly HttpClient http;
    private readonly HubSettings settings;

    public HubClient(HubSettings settings)
    {
        this.settings = settings;
        var handler = settings.Options.HttpHandler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = settings.Options.Timeout,
        };
        http = new HttpClient(handler, disposeHandler: settings.Options.HttpHandler is null) { Timeout = settings.Options.Timeout };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("AnomalyClip", typeof(HubClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public Uri ResolveUrl(string repoId, string revision, string file) =>
        new($"{settings.Endpoint.AbsoluteUri.TrimEnd('/')}/{repoId}/resolve/{Uri.EscapeDataString(revision)}/{Uri.EscapeDataString(file)}");

    /// <summary>Metadata of a file; null when the repo exists but has no such file (HTTP 404).</summary>
    public async Task<HubFileMetadata?> GetMetadataAsync(string repoId, string revision, string file, CancellationToken ct)
    {
        var url = ResolveUrl(repoId, revision, file);
        for (var hop = 0; ; hop++)
        {
            using var response = await SendAsync(HttpMethod.Head, url, 0, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                var location = response.Headers.Location
                    ?? throw new ModelLoadException(url.ToString(), $"{repoId}/{file}: HTTP {status} redirect without a Location");
                if (location.IsAbsoluteUri) return Metadata(response, repoId, file, url, location);
                if (hop >= MaxRedirects) throw new ModelLoadException(url.ToString(), $"{repoId}/{file}: too many redirects");
                url = new Uri(url, location);
                continue;
            }
            if (status == 404 && ErrorCode(response) is not ("RepoNotFound" or "RevisionNotFound")) return null;
            ThrowIfFailed(response, url, repoId, file);
            return Metadata(response, repoId, file, url, url);
        }
    }

    /// <summary>GETs <paramref name="url"/> from byte <paramref name="offset"/> on (a Range request when above 0); the caller checks the status.</summary>
    public async Task<HttpResponseMessage> GetAsync(Uri url, long offset, CancellationToken ct)
    {
        for (var hop = 0; ; hop++)
        {
            var response = await SendAsync(HttpMethod.Get, url, offset, ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is < 300 or >= 400) return response;
            var location = response.Headers.Location;
            response.Dispose();
            if (location is null || hop >= MaxRedirects)
                throw new ModelLoadException(url.ToString(), $"HTTP {status}: redirect without a Location, or too many redirects");
            url = new Uri(url, location);
        }
    }

    /// <summary>Throws a <see cref="ModelLoadException"/> naming the repo, file and cause unless the response succeeded.</summary>
    public void ThrowIfFailed(HttpResponseMessage response, Uri url, string repoId, string file)
    {
        if (response.IsSuccessStatusCode) return;
        var status = (int)response.StatusCode;
        var code = ErrorCode(response);
        var detail = Header(response, "X-Error-Message") is { } m ? $" ({m})" : "";
        var tokenNote = settings.Token is null ? "no token was sent: set HF_TOKEN if it is private or gated" : "the token sent was refused";
        var message = (status, code) switch
        {
            (_, "RepoNotFound") => $"repository {repoId} not found on {settings.Endpoint} ({tokenNote})",
            (_, "RevisionNotFound") => $"revision '{settings.Revision}' not found in {repoId}",
            (401 or 403, _) => $"access to {repoId}/{file} denied (HTTP {status}; {tokenNote})",
            (404, _) => $"{repoId} has no file {file} (HTTP 404)",
            _ => $"{repoId}/{file}: HTTP {status} {response.ReasonPhrase}",
        };
        throw new ModelLoadException(url.ToString(), message + detail);
    }

    public void Dispose() => http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri url, long offset, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        if (settings.Token is not null && SameOrigin(url, settings.Endpoint))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ModelLoadException(url.ToString(),
                $"could not reach the hub ({e.Message}); set HF_HUB_OFFLINE=1 to use only cached models", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ModelLoadException(url.ToString(), $"the hub did not answer within {settings.Options.Timeout.TotalSeconds:0} s", e);
        }
    }

    private HubFileMetadata Metadata(HttpResponseMessage response, string repoId, string file, Uri url, Uri download)
    {
        var commit = Header(response, "X-Repo-Commit");
        var etag = NormalizeEtag(Header(response, "X-Linked-Etag") ?? Header(response, "ETag"));
        var sizeText = Header(response, "X-Linked-Size") ?? Header(response, "Content-Length");
        if (commit is null || !RepoCache.IsCommitHash(commit) || etag is null || !long.TryParse(sizeText, out var size) || size < 0)
            throw new ModelLoadException(url.ToString(),
                $"{repoId}/{file}: the server sent no valid X-Repo-Commit, ETag or size header (got commit '{commit}', etag '{etag}', size '{sizeText}'); " +
                $"is {settings.Endpoint} a Hugging Face hub?");
        return new HubFileMetadata(repoId, file, commit, etag, size, download);
    }

    // As huggingface_hub: drop a weak-validator prefix and the quotes. The result names a file, so it must be plain.
    private static string? NormalizeEtag(string? raw)
    {
        if (raw is null) return null;
        var etag = raw.Trim();
        if (etag.StartsWith("W/", StringComparison.Ordinal)) etag = etag[2..];
        etag = etag.Trim('"');
        return EtagPattern().IsMatch(etag) ? etag : null;
    }

    private static string? ErrorCode(HttpResponseMessage response) => Header(response, "X-Error-Code");

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? values.FirstOrDefault()
            : null;

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex EtagPattern();
}
