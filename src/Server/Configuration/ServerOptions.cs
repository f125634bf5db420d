using System.Text.Json;
using System.Text.Json.Serialization;
using AnomalyClip.Clip.Preprocessing;

namespace AnomalyClip.Server.Configuration;

/// <summary>
/// What <c>anomalyclip serve</c> serves and its limits. Loaded from a small JSON file (<see cref="Load"/>, snake_case,
/// unknown properties rejected), or <see cref="ForSamples"/>: the offline ResNet-18 over the bundled sample classes.
/// </summary>
/// <remarks>
/// <code>
/// { "device": "cpu", "batch_limit": 8, "queue_limit": 64,
///   "classes": { "bottle": { "backbone": "resnet18", "references": "bottle/train/good", "k": 4, "thresholds": "bottle.thresholds.json" } } }
/// </code>
/// </remarks>
public sealed record ServerOptions
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The served classes by name (the <c>class</c> of <c>/v1/inspect</c>).</summary>
    public IReadOnlyDictionary<string, DetectorSpec> Classes { get; init; } = new Dictionary<string, DetectorSpec>();

    /// <summary>Default device of the detectors: cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Most images of one class that share a forward pass (1 turns micro-batching off).</summary>
    public int BatchLimit { get; init; } = 8;

    /// <summary>How long the first request of a batch waits for others to join it, in milliseconds.</summary>
    public double BatchWindowMs { get; init; } = 5;

    /// <summary>Requests waiting for inference on one device beyond which new ones get 429.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>Largest request body in bytes (413 above).</summary>
    public long MaxRequestBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Largest decoded image in pixels, checked from the header before decoding (413 above).</summary>
    public long MaxPixels { get; init; } = 40_000_000;

    /// <summary>How long a request may wait for its result, in seconds, queueing included (503 after).</summary>
    public double RequestTimeoutSeconds { get; init; } = 30;

    /// <summary>Results the web page keeps in its history.</summary>
    public int PageHistory { get; init; } = 8;

    /// <summary>Reads a config file; relative paths in its class specs are resolved against its folder.</summary>
    /// <exception cref="ServerConfigException">The file is missing, unreadable, not valid JSON of this format, or its values are out of range.</exception>
    public static ServerOptions Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ServerConfigException(path, "server config file not found");
        ServerOptions? loaded;
        try
        {
            loaded = JsonSerializer.Deserialize<ServerOptions>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new ServerConfigException(path, "malformed server config: " + e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerConfigException(path, "cannot read the server config: " + e.Message, e);
        }
        if (loaded is null) throw new ServerConfigException(path, "the file holds JSON null, not a server config");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var resolved = loaded with { Classes = loaded.Classes.ToDictionary(kv => kv.Key, kv => Resolve(kv.Value, folder), StringComparer.Ordinal) };
        resolved.Validate(path);
        return resolved;
    }

    /// <summary>
    /// The offline ResNet-18 few-shot detector over an MVTec-layout folder (the bundled <c>data/samples</c>): per class
    /// k = 4 references from <c>train/good</c> (seed 42, as the demo), thresholds calibrated on its other normals.
    /// </summary>
    /// <exception cref="ServerConfigException">The folder has no class with a <c>train/good</c> folder.</exception>
    public static ServerOptions ForSamples(string root)
    {
        var classes = new Dictionary<string, DetectorSpec>(StringComparer.Ordinal);
        var dirs = Directory.Exists(root) ? Directory.GetDirectories(root) : [];
        foreach (var dir in dirs.Order(StringComparer.Ordinal))
        {
            var good = Path.Combine(dir, "train", "good");
            if (Directory.Exists(good)) classes[Path.GetFileName(dir)] = new DetectorSpec { References = good, CalibrationNormals = good };
        }
        if (classes.Count == 0) throw new ServerConfigException(root, "no class folder with train/good images");
        return new ServerOptions { Classes = classes };
    }

    /// <summary>The decoder of request images: the server's pixel limit.</summary>
    internal ImageDecoder CreateDecoder() => new(new ImageDecodeOptions { MaxPixels = MaxPixels });

    /// <summary>Checks the limits and every class spec; <paramref name="source"/> names the config in errors.</summary>
    /// <exception cref="ServerConfigException">A value is out of range or a spec is inconsistent.</exception>
    public void Validate(string source)
    {
        if (Classes.Count == 0) throw new ServerConfigException(source, "no classes to serve");
        ValidateLimits(source);
        foreach (var (name, spec) in Classes) ValidateSpec($"{source}: class '{name}'", name, spec);
    }

    /// <summary>Checks the limits only (the classes come from elsewhere).</summary>
    /// <exception cref="ServerConfigException">A value is out of range.</exception>
    public void ValidateLimits(string source)
    {
        if (BatchLimit < 1) throw new ServerConfigException(source, $"batch_limit must be at least 1, got {BatchLimit}");
        if (!(BatchWindowMs >= 0 && BatchWindowMs <= 1000)) throw new ServerConfigException(source, $"batch_window_ms must be in [0, 1000], got {BatchWindowMs}");
        if (QueueLimit < 1) throw new ServerConfigException(source, $"queue_limit must be at least 1, got {QueueLimit}");
        if (MaxRequestBytes < 1) throw new ServerConfigException(source, $"max_request_bytes must be positive, got {MaxRequestBytes}");
        if (MaxPixels < 1) throw new ServerConfigException(source, $"max_pixels must be positive, got {MaxPixels}");
        if (!(RequestTimeoutSeconds > 0)) throw new ServerConfigException(source, $"request_timeout_seconds must be positive, got {RequestTimeoutSeconds}");
        if (PageHistory < 1) throw new ServerConfigException(source, $"page_history must be at least 1, got {PageHistory}");
    }

    private static void ValidateSpec(string where, string name, DetectorSpec spec)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ServerConfigException(where, "a class name is empty");
        if (!DetectorSpec.Backbones.Contains(spec.Backbone))
            throw new ServerConfigException(where, $"unknown backbone '{spec.Backbone}' ({string.Join(", ", DetectorSpec.Backbones)})");
        if (spec.References is not null && spec.Bank is not null) throw new ServerConfigException(where, "give references or bank, not both");
        if (spec.K < 1) throw new ServerConfigException(where, $"k must be at least 1, got {spec.K}");
        if (spec.Thresholds is not null && spec.CalibrationNormals is not null) throw new ServerConfigException(where, "give thresholds or calibration_normals, not both");
        if (spec.Backbone == DetectorSpec.ResNet18)
        {
            if (!spec.FewShot) throw new ServerConfigException(where, "resnet18 is few-shot only (it has no text tower): give references or bank");
            if (spec.Model is not null || spec.Adapter is not null)
                throw new ServerConfigException(where, "model and adapter apply to backbone clip, not resnet18");
        }
        if (spec.PrecisionOn(TorchSharp.torch.CPU) is null) throw new ServerConfigException(where, $"unknown dtype '{spec.Dtype}' (auto, fp32, fp16, bf16)");
        if (spec.Backbone == DetectorSpec.Clip && spec.Adapter is null) throw new ServerConfigException(where, "backbone clip needs an adapter");
    }

    private static DetectorSpec Resolve(DetectorSpec spec, string folder)
    {
        string? Full(string? p) => p is null ? null : Path.GetFullPath(p, folder);
        // A model may be a name or repo id rather than a path: only a path that exists beside the config is resolved.
        var model = spec.Model is string m && (File.Exists(Path.Combine(folder, m)) || Directory.Exists(Path.Combine(folder, m))) ? Full(m) : spec.Model;
        return spec with
        {
            References = Full(spec.References), Bank = Full(spec.Bank), Thresholds = Full(spec.Thresholds),
            CalibrationNormals = Full(spec.CalibrationNormals), Adapter = Full(spec.Adapter), Model = model,
        };
    }
}
