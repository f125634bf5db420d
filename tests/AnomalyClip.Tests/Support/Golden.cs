using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AnomalyClip.Clip.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Support;

/// <summary>
/// The golden reference data committed under <c>tests/golden</c> (outputs of the original Python code on tiny random
/// models; see its PROVENANCE.md) and the bundled real sample images under <c>data/samples</c>.
/// </summary>
public static class Golden
{
    private static readonly ConcurrentDictionary<string, Dictionary<string, Tensor>> Files = new();
    private static readonly Lazy<JsonObject> ManifestJson = new(() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")))!);

    /// <summary>The repository root (the folder holding AnomalyClip.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary><c>tests/golden</c>.</summary>
    public static string Dir => Path.Combine(RepoRoot, "tests", "golden");

    /// <summary><c>data/samples</c>: the real CC BY 4.0 sample images (MVTec layout, classes hazelnut_toy and paper_bdp01).</summary>
    public static string Samples => Path.Combine(RepoRoot, "data", "samples");

    /// <summary>Path of a file under <c>tests/golden</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Dir, .. parts]);

    /// <summary>The tiny-a model folder (fp32).</summary>
    public static string TinyA => PathOf("models", "tiny-a");

    /// <summary>The tiny-a model folder (fp16 copy).</summary>
    public static string TinyAFp16 => PathOf("models", "tiny-a-fp16");

    /// <summary>golden/manifest.json.</summary>
    public static JsonObject Manifest => ManifestJson.Value;

    /// <summary>A tensor of <c>upstream_openclip.safetensors</c> (CPU, stored dtype; shared, do not dispose).</summary>
    public static Tensor Upstream(string name) => Get("upstream_openclip.safetensors", name);

    /// <summary>A tensor of <c>aprilgan.safetensors</c> (CPU, stored dtype; shared, do not dispose).</summary>
    public static Tensor AprilGan(string name) => Get("aprilgan.safetensors", name);

    /// <summary>Names of the tensors in a golden safetensors file.</summary>
    public static IEnumerable<string> Names(string file) => Load(file).Keys;

    private static Tensor Get(string file, string name) =>
        Load(file).TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"{file} has no tensor '{name}'");

    private static Dictionary<string, Tensor> Load(string file) => Files.GetOrAdd(file, f =>
    {
        var d = SafeTensors.Load(PathOf(f));
        foreach (var t in d.Values) t.DetachFromDisposeScope();
        return d;
    });

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AnomalyClip.sln"))) return dir.FullName;
        throw new InvalidOperationException("AnomalyClip.sln not found above " + AppContext.BaseDirectory);
    }
}
