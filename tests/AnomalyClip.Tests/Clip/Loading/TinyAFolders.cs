using System.Text.Json.Nodes;
using AnomalyClip.Clip.IO;
using AnomalyClip.Tests.Clip.Hub;
using AnomalyClip.Tests.Clip.Weights;
using AnomalyClip.Tests.Support;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Loading;

/// <summary>Writes tiny-a in other on-disk layouts into a temp folder.</summary>
internal static class TinyAFolders
{
    public static string SafeTensorsFile => Path.Combine(Golden.TinyA, "open_clip_model.safetensors");

    public static string PyTorchFile => Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin");

    public static string OpenClipConfig => Path.Combine(Golden.TinyA, "open_clip_config.json");

    /// <summary>
    /// tiny-a's architecture as transformers writes it: only values that differ from CLIPConfig's defaults (so
    /// vocab_size and max_position_embeddings are left out on purpose, exercising the defaults).
    /// </summary>
    public static JsonObject HfConfig() => new()
    {
        ["architectures"] = new JsonArray("CLIPModel"),
        ["model_type"] = "clip",
        ["projection_dim"] = 32,
        ["text_config"] = new JsonObject
        {
            ["hidden_size"] = 64, ["intermediate_size"] = 256, ["num_attention_heads"] = 4, ["num_hidden_layers"] = 2,
            ["model_type"] = "clip_text_model",
        },
        ["vision_config"] = new JsonObject
        {
            ["hidden_size"] = 64, ["intermediate_size"] = 256, ["num_attention_heads"] = 4, ["num_hidden_layers"] = 4,
            ["image_size"] = 32, ["patch_size"] = 8, ["model_type"] = "clip_vision_model",
        },
    };

    /// <summary>A transformers CLIPModel folder: config.json plus model.safetensors, or a two-shard index when <paramref name="sharded"/>.</summary>
    public static void WriteTransformersFolder(TempDirectory dir, bool sharded)
    {
        using var scope = NewDisposeScope();
        var hf = HuggingFaceClipKeysTests.ToHf(SafeTensors.Load(SafeTensorsFile));
        File.WriteAllText(dir.Sub("config.json"), HfConfig().ToJsonString());
        if (!sharded)
        {
            SafeTensors.Save(dir.Sub("model.safetensors"), hf);
            return;
        }
        var names = new[] { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors" };
        var map = new JsonObject();
        var shards = new[] { new Dictionary<string, Tensor>(), new Dictionary<string, Tensor>() };
        foreach (var (key, t) in hf)
        {
            int s = key.StartsWith("vision_model.", StringComparison.Ordinal) ? 0 : 1;
            shards[s][key] = t;
            map[key] = names[s];
        }
        for (int s = 0; s < 2; s++) SafeTensors.Save(dir.Sub(names[s]), shards[s]);
        File.WriteAllText(dir.Sub("model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
    }
}
