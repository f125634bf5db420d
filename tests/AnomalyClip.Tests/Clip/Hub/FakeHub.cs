using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>
/// A minimal Hugging Face hub on 127.0.0.1 (random port), one request per connection. It answers
/// <c>/{org}/{name}/resolve/{main|commit}/{file}</c> like the hub: LFS files with a 302 to <c>/cdn/{id}</c> that carries
/// X-Repo-Commit, X-Linked-Etag (sha256) and X-Linked-Size; other files with a 200, a git-sha1 ETag and the body.
/// Content honours <c>Range: bytes=N-</c>. A file can be told to cut its next GETs short, or to advertise a wrong
/// hash or size. Every request is recorded.
/// </summary>
internal sealed class FakeHub : IDisposable
{
    public const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<ServedFile> files = [];
    private readonly Task loop;

    public FakeHub()
    {
        listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        loop = Task.Run(AcceptLoop);
    }

    /// <summary>The hub's base address.</summary>
    public string Endpoint { get; }

    /// <summary>Where LFS redirects point (another FakeHub serving the same files in the same order); this hub by default.</summary>
    public string? CdnEndpoint { get; set; }

    /// <summary>
    /// Answer resolve requests for plain (non-LFS) files with a relative 307 to a commit-pinned path first, as the
    /// real hub does for its resolve cache.
    /// </summary>
    public bool RelativeRedirects { get; set; }

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<Request> Requests { get; } = new();

    public sealed record Request(string Method, string Path, string? Range, string? Authorization);

    public sealed class ServedFile(string repo, string name, byte[] content, bool lfs)
    {
        public string Repo { get; } = repo;
        public string Name { get; } = name;
        public byte[] Content { get; } = content;
        public bool Lfs { get; } = lfs;
        public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(content));

        /// <summary>The hub-side ETag: sha256 for LFS files, the git blob sha1 otherwise.</summary>
        public string Etag => AdvertisedEtag ?? (Lfs ? Sha256 : GitBlobSha1(Content));

        /// <summary>Overrides the advertised ETag (e.g. a wrong sha256).</summary>
        public string? AdvertisedEtag { get; set; }

        /// <summary>Overrides the advertised size.</summary>
        public long? AdvertisedSize { get; set; }

        /// <summary>The next <see cref="CutCount"/> GETs of the content stop after this many body bytes.</summary>
        public int CutAfterBytes { get; set; }

        public int CutCount { get; set; }

        private static string GitBlobSha1(byte[] content) =>
            Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));
    }

    public ServedFile Add(string repo, string name, byte[] content, bool lfs = true)
    {
        var file = new ServedFile(repo, name, content, lfs);
        lock (files) files.Add(file);
        return file;
    }

    /// <summary>Serves the golden tiny-a model as <paramref name="repo"/>: config (plain git file), both weight files and the BPE merges (LFS).</summary>
    public void AddTinyA(string repo, bool withSafeTensors = true)
    {
        var dir = Support.Golden.TinyA;
        Add(repo, "open_clip_config.json", File.ReadAllBytes(Path.Combine(dir, "open_clip_config.json")), lfs: false);
        if (withSafeTensors) Add(repo, "open_clip_model.safetensors", File.ReadAllBytes(Path.Combine(dir, "open_clip_model.safetensors")));
        Add(repo, "open_clip_pytorch_model.bin", File.ReadAllBytes(Path.Combine(dir, "open_clip_pytorch_model.bin")));
        Add(repo, "bpe_simple_vocab_16e6.txt.gz", File.ReadAllBytes(Support.Golden.PathOf("bpe_simple_vocab_16e6.txt.gz")));
    }

    public ServedFile Get(string repo, string name)
    {
        lock (files) return files.Single(f => f.Repo == repo && f.Name == name);
    }

    public int IndexOf(ServedFile file)
    {
        lock (files) return files.IndexOf(file);
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHead(stream);
                if (head is null) return;
                var lines = head.Split("\r\n");
                var parts = lines[0].Split(' ');
                var headers = lines.Skip(1).Where(l => l.Contains(':'))
                    .ToDictionary(l => l[..l.IndexOf(':')].Trim(), l => l[(l.IndexOf(':') + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
                var request = new Request(parts[0], parts[1], headers.GetValueOrDefault("Range"), headers.GetValueOrDefault("Authorization"));
                Requests.Enqueue(request);
                await Respond(stream, request);
                await stream.FlushAsync();
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (IOException) { }
            catch (SocketException) { }
        }
    }

    private async Task Respond(NetworkStream stream, Request request)
    {
        var path = request.Path.Split('/');
        if (path is ["", "cdn", var id])
        {
            ServedFile file;
            lock (files) file = files[int.Parse(id)];
            await SendContent(stream, request, file, []);
            return;
        }
        if (path is not ["", var org, var name, "resolve", var revision, var fileName])
        {
            await Send(stream, 400, [], null);
            return;
        }
        var repo = $"{org}/{name}";
        fileName = Uri.UnescapeDataString(fileName);
        ServedFile? served;
        bool repoExists;
        int index;
        lock (files)
        {
            repoExists = files.Any(f => f.Repo == repo);
            index = files.FindIndex(f => f.Repo == repo && f.Name == fileName);
            served = index < 0 ? null : files[index];
        }
        if (!repoExists) { await Send(stream, 404, [("X-Error-Code", "RepoNotFound")], null); return; }
        if (Uri.UnescapeDataString(revision) is not ("main" or Commit or "resolve-cache-" + Commit)) { await Send(stream, 404, [("X-Error-Code", "RevisionNotFound")], null); return; }
        if (served is null) { await Send(stream, 404, [("X-Error-Code", "EntryNotFound")], null); return; }

        var size = (served.AdvertisedSize ?? served.Content.Length).ToString();
        if (served.Lfs)
        {
            await Send(stream, 302, [("Location", $"{CdnEndpoint ?? Endpoint}/cdn/{index}"), ("X-Repo-Commit", Commit),
                ("X-Linked-Etag", $"\"{served.Etag}\""), ("X-Linked-Size", size), ("ETag", "\"pointer\"")], null);
            return;
        }
        if (RelativeRedirects && !path[4].StartsWith("resolve-cache", StringComparison.Ordinal))
        {
            await Send(stream, 307, [("Location", $"/{repo}/resolve/resolve-cache-{Commit}/{Uri.EscapeDataString(fileName)}")], null);
            return;
        }
        await SendContent(stream, request, served, [("X-Repo-Commit", Commit), ("ETag", $"\"{served.Etag}\"")]);
    }

    private static async Task SendContent(NetworkStream stream, Request request, ServedFile file, (string, string)[] extra)
    {
        var content = file.Content;
        long start = 0;
        var status = 200;
        var headers = new List<(string, string)>(extra);
        if (request.Range is { } range && range.StartsWith("bytes=") && range.EndsWith('-'))
        {
            start = long.Parse(range["bytes=".Length..^1]);
            if (start >= content.Length) { await Send(stream, 416, [("Content-Range", $"bytes */{content.Length}")], null); return; }
            status = 206;
            headers.Add(("Content-Range", $"bytes {start}-{content.Length - 1}/{content.Length}"));
        }
        var body = content.AsMemory((int)start);
        headers.Add(("Content-Length", body.Length.ToString()));
        if (request.Method == "HEAD") { await Send(stream, status, headers, null); return; }
        if (file.CutCount > 0)
        {
            file.CutCount--;
            body = body[..Math.Min(file.CutAfterBytes, body.Length)];
        }
        await Send(stream, status, headers, body);
    }

    private static async Task Send(NetworkStream stream, int status, IEnumerable<(string Name, string Value)> headers, ReadOnlyMemory<byte>? body)
    {
        var text = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\n");
        var list = headers.ToList();
        if (!list.Any(h => h.Name == "Content-Length")) list.Add(("Content-Length", "0"));
        foreach (var (name, value) in list) text.Append($"{name}: {value}\r\n");
        text.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()));
        if (body is { } b) await stream.WriteAsync(b);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK", 206 => "Partial Content", 302 => "Found", 307 => "Temporary Redirect", 400 => "Bad Request", 404 => "Not Found",
        416 => "Range Not Satisfiable", _ => "Status",
    };

    private static async Task<string?> ReadHead(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            bytes.Add(one[0]);
            if (bytes.Count >= 4 && bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n')
                return Encoding.ASCII.GetString([.. bytes]);
        }
        return null;
    }
}
