using AnomalyClip.Clip.Hub;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>A fresh folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "anomalyclip-hub-" + Guid.NewGuid().ToString("N"))).FullName;

    public string Sub(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>An HTTP handler that counts calls and fails them: proves a resolution used no network.</summary>
internal sealed class NoNetworkHandler : HttpMessageHandler
{
    public int Calls { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Calls++;
        throw new InvalidOperationException($"unexpected network access: {request.Method} {request.RequestUri}");
    }
}

/// <summary>Collects progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<DownloadProgress>
{
    public List<DownloadProgress> Reports { get; } = [];

    public void Report(DownloadProgress value)
    {
        lock (Reports) Reports.Add(value);
    }
}

internal static class HubTestSupport
{
    /// <summary>Options isolated from the process environment: only what the test sets applies.</summary>
    public static ResolveOptions Isolated(string cacheDir, string? endpoint = null, HttpMessageHandler? handler = null) => new()
    {
        CacheDir = cacheDir,
        Endpoint = endpoint ?? "http://127.0.0.1:9",
        HttpHandler = handler,
        Environment = _ => null,
        RetryDelay = TimeSpan.Zero,
        Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>
    /// Writes a cache entry the way huggingface_hub does: blobs named by sha256, snapshot symlinks to them, refs/main.
    /// Returns the repo folder.
    /// </summary>
    public static string WriteHfCache(string cacheDir, string repoId, string commit, params string[] goldenFiles)
    {
        var repoDir = System.IO.Path.Combine(cacheDir, "models--" + repoId.Replace("/", "--"));
        var blobs = Directory.CreateDirectory(System.IO.Path.Combine(repoDir, "blobs")).FullName;
        var snapshot = Directory.CreateDirectory(System.IO.Path.Combine(repoDir, "snapshots", commit)).FullName;
        Directory.CreateDirectory(System.IO.Path.Combine(repoDir, "refs"));
        File.WriteAllText(System.IO.Path.Combine(repoDir, "refs", "main"), commit);
        foreach (var name in goldenFiles)
        {
            var bytes = File.ReadAllBytes(System.IO.Path.Combine(Support.Golden.TinyA, name));
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
            File.WriteAllBytes(System.IO.Path.Combine(blobs, sha), bytes);
            File.CreateSymbolicLink(System.IO.Path.Combine(snapshot, name), $"../../blobs/{sha}");
        }
        return repoDir;
    }
}
