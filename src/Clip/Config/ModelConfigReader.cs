using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnomalyClip.Clip.Config;

/// <summary>
/// Reads a model folder's configuration: OpenCLIP's <c>open_clip_config.json</c> (HF-hub layout,
/// <c>{"model_cfg": ..., "preprocess_cfg": ...}</c>) or a Hugging Face transformers CLIP <c>config.json</c>.
/// </summary>
public static class ModelConfigReader
{
    /// <summary>OpenCLIP's config file name in a hub folder.</summary>
    public const string OpenClipConfigFile = "open_clip_config.json";

    /// <summary>Hugging Face transformers' config file name.</summary>
    public const string HuggingFaceConfigFile = "config.json";

    /// <summary>Reads whichever config <paramref name="folder"/> holds (OpenCLIP's first).</summary>
    /// <exception cref="ModelLoadException">No config, or a config that is malformed or not a CLIP ViT.</exception>
    public static ClipModelConfig ReadFolder(string folder)
    {
        var openClip = Path.Combine(folder, OpenClipConfigFile);
        if (File.Exists(openClip)) return ReadOpenClip(openClip);
        var hf = Path.Combine(folder, HuggingFaceConfigFile);
        if (File.Exists(hf)) return ReadHuggingFace(hf);
        throw new ModelLoadException(folder, $"no {OpenClipConfigFile} or {HuggingFaceConfigFile} in the model folder");
    }

    /// <summary>Parses an OpenCLIP <c>open_clip_config.json</c> (or a bare <c>model_configs/*.json</c>).</summary>
    public static ClipModelConfig ReadOpenClip(string path) => Parse(path, root =>
    {
        var model = root["model_cfg"] as JsonObject ?? root;
        var v = Obj(model, "vision_cfg");
        var t = Obj(model, "text_cfg");
        int vWidth = Int(v, "width");
        int headWidth = v["head_width"] is null ? 64 : Int(v, "head_width");
        var vision = new VisionConfig(Int(v, "image_size"), Int(v, "patch_size"), vWidth, Int(v, "layers"), headWidth, Dbl(v, "mlp_ratio", 4.0));
        int tWidth = Int(t, "width");
        var text = new TextConfig(IntOr(t, "context_length", 77), IntOr(t, "vocab_size", 49408), tWidth,
            IntOr(t, "heads", tWidth / 64), Int(t, "layers"), Dbl(t, "mlp_ratio", 4.0));
        bool quick = model["quick_gelu"] is JsonValue q && q.GetValue<bool>();
        var pre = PreprocessConfig.OpenAi;
        if (root["preprocess_cfg"] is JsonObject p)
        {
            pre = new PreprocessConfig(
                Floats(p, "mean") ?? pre.Mean, Floats(p, "std") ?? pre.Std,
                (string?)p["interpolation"] ?? pre.Interpolation, (string?)p["resize_mode"] ?? pre.ResizeMode);
        }
        var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "clip";
        return new ClipModelConfig(name, Int(model, "embed_dim"), vision, text, quick ? Activation.QuickGelu : Activation.Gelu, pre);
    });

    /// <summary>Parses a Hugging Face transformers <c>CLIPConfig</c> <c>config.json</c>.</summary>
    public static ClipModelConfig ReadHuggingFace(string path) => Parse(path, root =>
    {
        var v = Obj(root, "vision_config");
        var t = Obj(root, "text_config");
        int vWidth = IntOr(v, "hidden_size", 768), vHeads = IntOr(v, "num_attention_heads", 12);
        var vision = new VisionConfig(IntOr(v, "image_size", 224), IntOr(v, "patch_size", 32), vWidth,
            IntOr(v, "num_hidden_layers", 12), vWidth / vHeads, (double)IntOr(v, "intermediate_size", vWidth * 4) / vWidth);
        int tWidth = IntOr(t, "hidden_size", 512);
        var text = new TextConfig(IntOr(t, "max_position_embeddings", 77), IntOr(t, "vocab_size", 49408), tWidth,
            IntOr(t, "num_attention_heads", 8), IntOr(t, "num_hidden_layers", 12), (double)IntOr(t, "intermediate_size", tWidth * 4) / tWidth);
        var act = (string?)v["hidden_act"] ?? (string?)t["hidden_act"] ?? "quick_gelu";
        var activation = act switch
        {
            "quick_gelu" => Activation.QuickGelu,
            "gelu" => Activation.Gelu,
            _ => throw new JsonException($"unsupported hidden_act '{act}'"),
        };
        var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "clip";
        return new ClipModelConfig(name, IntOr(root, "projection_dim", 512), vision, text, activation, PreprocessConfig.OpenAi);
    });

    private static ClipModelConfig Parse(string path, Func<JsonObject, ClipModelConfig> read)
    {
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            return read(root);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or IOException)
        {
            throw new ModelLoadException(path, $"invalid model config: {ex.Message}", ex);
        }
    }

    private static JsonObject Obj(JsonObject o, string key) =>
        o[key] as JsonObject ?? throw new KeyNotFoundException($"missing object '{key}'");

    private static int Int(JsonObject o, string key) =>
        o[key] is JsonValue v ? v.GetValue<int>() : throw new KeyNotFoundException($"missing integer '{key}'");

    private static int IntOr(JsonObject o, string key, int fallback) => o[key] is JsonValue v ? v.GetValue<int>() : fallback;

    private static double Dbl(JsonObject o, string key, double fallback) => o[key] is JsonValue v ? v.GetValue<double>() : fallback;

    private static float[]? Floats(JsonObject o, string key) =>
        o[key] is JsonArray a ? a.Select(x => (float)x!.GetValue<double>()).ToArray() : null;
}
