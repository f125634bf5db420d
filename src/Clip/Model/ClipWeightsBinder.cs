using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>Copies an OpenCLIP-layout state dict into a <see cref="ClipModel"/>, strictly.</summary>
internal static class ClipWeightsBinder
{
    private const string VisualPositional = "visual.positional_embedding";
    private const int MaxNamesListed = 20;

    /// <summary>OpenCLIP keeps the text tower at top level; this model nests it under "text.".</summary>
    public static string ToOpenClipKey(string name) => name.StartsWith("text.", StringComparison.Ordinal) ? name["text.".Length..] : name;

    /// <summary>
    /// Copies every parameter from <paramref name="stateDict"/>. With <paramref name="releaseBound"/> each file tensor
    /// is disposed once copied, so a load holds the file's copy of one tensor at a time rather than all of them.
    /// </summary>
    public static void Bind(ClipModel model, IReadOnlyDictionary<string, Tensor> stateDict, string source, bool releaseBound = false)
    {
        var missing = new List<string>();
        var misShaped = new List<string>();
        var nonFinite = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        using var _ = no_grad();
        foreach (var (name, param) in model.named_parameters())
        {
            var key = ToOpenClipKey(name);
            if (!stateDict.TryGetValue(key, out var src))
            {
                missing.Add(key);
                continue;
            }
            used.Add(key);
            using var scope = NewDisposeScope();
            var value = src;
            if (key == "logit_scale" && src.numel() == 1) value = src.reshape([]);
            if (key == VisualPositional && src.dim() == 2 && src.shape[1] == param.shape[1] && src.shape[0] != param.shape[0])
            {
                try
                {
                    value = PositionalEmbedding.Resize(src, model.Visual.Grid);
                }
                catch (ArgumentException ex)
                {
                    misShaped.Add($"{key} {Shape(src)} ({ex.Message})");
                    continue;
                }
            }
            if (!value.shape.SequenceEqual(param.shape))
            {
                misShaped.Add($"{key}: file {Shape(src)}, model {Shape(param)}");
                continue;
            }
            param.copy_(value.to_type(param.dtype));
            if (!param.isfinite().all().item<bool>()) nonFinite.Add(key);
            if (releaseBound) src.Dispose();
        }
        var unexpected = stateDict.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (missing.Count + misShaped.Count + unexpected.Count + nonFinite.Count == 0) return;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"{missing.Count} missing key(s): {List(missing)}");
        if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s): {List(unexpected)}");
        if (misShaped.Count > 0) parts.Add($"{misShaped.Count} mis-shaped key(s): {List(misShaped)}");
        // A NaN or infinite weight would surface much later as a NaN map with nothing to say where it came from.
        if (nonFinite.Count > 0) parts.Add($"{nonFinite.Count} key(s) holding NaN or infinite values: {List(nonFinite)}");
        throw new ModelLoadException(source, $"weights do not fit {model.Config.Name}: " + string.Join("; ", parts));
    }

    private static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";

    private static string List(List<string> names) =>
        string.Join(", ", names.Take(MaxNamesListed)) + (names.Count > MaxNamesListed ? $", … ({names.Count - MaxNamesListed} more)" : "");
}
