namespace AnomalyClip.Clip.Hub;

/// <summary>
/// Settings for <see cref="ModelResolver"/>. Every property left null falls back to the Hugging Face environment
/// variable that <c>huggingface_hub</c> reads, looked up through <see cref="Environment"/>, so tests and hosts can
/// inject their own values without touching the process environment.
/// </summary>
public sealed record ResolveOptions
{
    /// <summary>The settings used when none are passed: everything from the process environment.</summary>
    public static ResolveOptions Default { get; } = new();

    /// <summary>
    /// Base address of the hub, e.g. <c>https://huggingface.co</c> or a mirror. Null: <c>HF_ENDPOINT</c>, else
    /// <c>https://huggingface.co</c>.
    /// </summary>
    public string? Endpoint { get; init; }

    /// <summary>
    /// The hub cache folder (the one holding <c>models--org--name</c> folders). Null: <c>HF_HUB_CACHE</c>, else
    /// <c>HUGGINGFACE_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>XDG_CACHE_HOME/huggingface/hub</c>, else
    /// <c>~/.cache/huggingface/hub</c> - the same folder Python's <c>huggingface_hub</c> uses, so its downloads are reused.
    /// </summary>
    public string? CacheDir { get; init; }

    /// <summary>
    /// True forbids all network access: a model must then be a local path or already be in the cache. Null:
    /// <c>HF_HUB_OFFLINE</c> (<c>1</c>, <c>true</c>, <c>yes</c> or <c>on</c> mean offline).
    /// </summary>
    public bool? Offline { get; init; }

    /// <summary>
    /// Access token sent as <c>Authorization: Bearer</c> to the hub (needed for private or gated repos only).
    /// Null: <c>HF_TOKEN</c>, else <c>HUGGING_FACE_HUB_TOKEN</c>. Never sent to other hosts (e.g. the CDN a
    /// download is redirected to) nor over plain http to a non-loopback host.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>Branch, tag or 40-hex commit hash to resolve; <c>main</c> by default.</summary>
    public string Revision { get; init; } = "main";

    /// <summary>
    /// HTTP handler to send requests through (proxies, custom certificates, tests). Null: a handler that does not
    /// follow redirects by itself. A supplied handler should not follow redirects either: the hub's metadata
    /// headers are on the redirect response. The resolver does not dispose it.
    /// </summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Reads an environment variable by name (null when unset); the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// Expected SHA-256 (64 hex digits) of repo files, keyed by file name (e.g. <c>open_clip_model.safetensors</c>).
    /// Checked in addition to the hash the hub advertises for LFS files.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ExpectedSha256 { get; init; }

    /// <summary>
    /// How many times an interrupted transfer is resumed (with an HTTP Range request) before giving up; 0 means
    /// one attempt only. A partial download left after the last attempt is resumed by the next call.
    /// </summary>
    public int DownloadRetries { get; init; } = 3;

    /// <summary>Pause before each resume attempt; multiplied by the attempt number.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for the server to answer a request or to send more data before failing.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Also fetch the tokenizer files a repo may carry (<c>vocab.json</c>, <c>merges.txt</c>,
    /// <c>bpe_simple_vocab_16e6.txt.gz</c>); a repo without them is not an error.
    /// </summary>
    public bool DownloadTokenizerFiles { get; init; } = true;
}
