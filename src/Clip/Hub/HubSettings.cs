namespace AnomalyClip.Clip.Hub;

/// <summary><see cref="ResolveOptions"/> with every environment fallback applied once.</summary>
internal sealed record HubSettings(
    Uri Endpoint,
    string CacheDir,
    bool Offline,
    string? Token,
    string Revision,
    ResolveOptions Options)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    public static HubSettings From(ResolveOptions options)
    {
        string? Env(string name) => options.Environment(name) is { Length: > 0 } v ? v : null;

        var home = HomeDirOf(options);
        var endpointText = (options.Endpoint ?? Env("HF_ENDPOINT") ?? DefaultEndpoint).TrimEnd('/');
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("https" or "http"))
            throw new ModelLoadException(endpointText, "the hub endpoint (ResolveOptions.Endpoint or HF_ENDPOINT) is not an http(s) URL");

        var cache = options.CacheDir ?? Env("HF_HUB_CACHE") ?? Env("HUGGINGFACE_HUB_CACHE");
        if (cache is null)
        {
            var hfHome = Env("HF_HOME");
            if (hfHome is null)
            {
                var xdg = Env("XDG_CACHE_HOME") ?? (home is null ? null : Path.Combine(home, ".cache"));
                hfHome = xdg is null
                    ? throw new ModelLoadException("HF_HUB_CACHE", "no hub cache folder: none of HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME or HOME is set")
                    : Path.Combine(xdg, "huggingface");
            }
            cache = Path.Combine(hfHome, "hub");
        }

        var token = options.Token ?? Env("HF_TOKEN") ?? Env("HUGGING_FACE_HUB_TOKEN");
        if (token is { Length: 0 }) token = null;
        if (token is not null && endpoint.Scheme == "http" && !endpoint.IsLoopback)
            throw new ModelLoadException(endpoint.ToString(), "refusing to send the hub token over plain http; use an https endpoint");

        ValidateRevision(options.Revision);
        if (options.DownloadRetries < 0) throw new ArgumentOutOfRangeException(nameof(options), "DownloadRetries must be >= 0");
        if (options.Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "Timeout must be positive");

        return new HubSettings(endpoint, Path.GetFullPath(ExpandHome(cache, home)), options.Offline ?? IsTrue(Env("HF_HUB_OFFLINE")),
            token, options.Revision, options);
    }

    /// <summary>The user's home folder (<c>HOME</c>, else <c>USERPROFILE</c>, else the OS's answer); null if unknown.</summary>
    public static string? HomeDirOf(ResolveOptions options) =>
        NullIfEmpty(options.Environment("HOME")) ?? NullIfEmpty(options.Environment("USERPROFILE"))
        ?? NullIfEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>Expands a leading <c>~</c> the way a shell would (huggingface_hub does the same for its paths).</summary>
    public static string ExpandHome(string path, string? home) =>
        home is not null && (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            ? Path.Combine(home, path.Length > 2 ? path[2..] : "")
            : path;

    // The values huggingface_hub's _is_true accepts.
    private static bool IsTrue(string? value) =>
        value is not null && value.Trim().ToUpperInvariant() is "1" or "ON" or "YES" or "TRUE";

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static void ValidateRevision(string revision)
    {
        var ok = revision.Length is > 0 and <= 256 && !revision.Contains("..", StringComparison.Ordinal)
            && !revision.StartsWith('/') && revision.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');
        if (!ok) throw new ArgumentException($"'{revision}' is not a valid revision (branch, tag or commit hash)", nameof(ResolveOptions.Revision));
    }
}
