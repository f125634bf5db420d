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

    /// <summary>
    /// Parses a Hugging Face transformers <c>CLIPConfig</c> <c>config.json</c>. transformers writes only the values
    /// that differ from its defaults, so a missing entry takes <c>CLIPTextConfig</c>/<c>CLIPVisionConfig</c>'s
    /// default (e.g. vision 768 wide, 12 layers, 12 heads, MLP 3072, 224 px, patch 32; text 512 wide, 12 layers,
    /// 8 heads, MLP 2048; projection 512; quick_gelu). Legacy <c>text_config_dict</c>/<c>vision_config_dict</c>
    /// entries override <c>text_config</c>/<c>vision_config</c>, as transformers does.
    /// </summary>
    public static ClipModelConfig ReadHuggingFace(string path) => Parse(path, root =>
    {
        var v = Section(root, "vision_config");
        var t = Section(root, "text_config");
        int vWidth = IntOr(v, "hidden_size", 768), vHeads = IntOr(v, "num_attention_heads", 12);
        if (vHeads < 1 || vWidth % vHeads != 0) throw new JsonException($"vision hidden_size {vWidth} is not divisible by num_attention_heads {vHeads}");
        var vision = new VisionConfig(IntOr(v, "image_size", 224), IntOr(v, "patch_size", 32), vWidth,
            IntOr(v, "num_hidden_layers", 12), vWidth / vHeads, (double)IntOr(v, "intermediate_size", 3072) / vWidth);
        int tWidth = IntOr(t, "hidden_size", 512);
        var text = new TextConfig(IntOr(t, "max_position_embeddings", 77), IntOr(t, "vocab_size", 49408), tWidth,
            IntOr(t, "num_attention_heads", 8), IntOr(t, "num_hidden_layers", 12), (double)IntOr(t, "intermediate_size", 2048) / tWidth);
        var vAct = (string?)v["hidden_act"] ?? "quick_gelu";
        var tAct = (string?)t["hidden_act"] ?? "quick_gelu";
        if (vAct != tAct) throw new JsonException($"the towers use different activations ({vAct} vision, {tAct} text), which this model does not support");
        var activation = vAct switch
        {
            "quick_gelu" => Activation.QuickGelu,
            "gelu" => Activation.Gelu,
            _ => throw new JsonException($"unsupported hidden_act '{vAct}'"),
        };
        var name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "clip";
        return new ClipModelConfig(name, IntOr(root, "projection_dim", 512), vision, text, activation, PreprocessConfig.OpenAi);
    });

    private static JsonObject Section(JsonObject root, string key)
    {
        if (root[key] is null && root[key + "_dict"] is null)
            throw new KeyNotFoundException($"missing object '{key}' (not a transformers CLIPConfig)");
        var merged = new JsonObject();
        foreach (var part in new[] { key, key + "_dict" })
        {
            if (root[part] is null) continue;
            if (root[part] is not JsonObject o) throw new JsonException($"'{part}' is not an object");
            foreach (var (k, value) in o) merged[k] = value?.DeepClone();
        }
        return merged;
    }

    private static ClipModelConfig Parse(string path, Func<JsonObject, ClipModelConfig> read)
    {
        try
        {
            if (new FileInfo(path).Length > 1 << 20) throw new ModelLoadException(path, "invalid model config: larger than 1 MB");
            var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
            var config = read(root);
            return config.Problem() is string problem ? throw new ModelLoadException(path, $"invalid model config: {problem}") : config;
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
