using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Maps a Hugging Face transformers <c>CLIPModel</c> state dict (<c>vision_model.*</c>, <c>text_model.*</c>,
/// <c>visual_projection.weight</c>, <c>text_projection.weight</c>) to the OpenCLIP / OpenAI key layout:
/// renames, fuses the per-layer q/k/v projections into <c>attn.in_proj_*</c> (rows in q, k, v order), and
/// transposes the two projections (HF stores them as Linear weights [embed, width], OpenCLIP as matrices
/// [width, embed] used as <c>x @ M</c>). <c>*.embeddings.position_ids</c> buffers are ignored. Vision-only or
/// text-only dicts map to the keys of that tower only.
/// </summary>
public static partial class HuggingFaceClipKeys
{
    private static readonly Dictionary<string, string> Fixed = new(StringComparer.Ordinal)
    {
        ["vision_model.embeddings.patch_embedding.weight"] = "visual.conv1.weight",
        ["vision_model.embeddings.class_embedding"] = "visual.class_embedding",
        ["vision_model.embeddings.position_embedding.weight"] = "visual.positional_embedding",
        ["vision_model.pre_layrnorm.weight"] = "visual.ln_pre.weight", // sic: HF spells it "layrnorm"
        ["vision_model.pre_layrnorm.bias"] = "visual.ln_pre.bias",
        ["vision_model.post_layernorm.weight"] = "visual.ln_post.weight",
        ["vision_model.post_layernorm.bias"] = "visual.ln_post.bias",
        ["text_model.embeddings.token_embedding.weight"] = "token_embedding.weight",
        ["text_model.embeddings.position_embedding.weight"] = "positional_embedding",
        ["text_model.final_layer_norm.weight"] = "ln_final.weight",
        ["text_model.final_layer_norm.bias"] = "ln_final.bias",
        ["logit_scale"] = "logit_scale",
    };

    private static readonly Dictionary<string, string> Transposed = new(StringComparer.Ordinal)
    {
        ["visual_projection.weight"] = "visual.proj",
        ["text_projection.weight"] = "text_projection",
    };

    private static readonly Dictionary<string, string> LayerParts = new(StringComparer.Ordinal)
    {
        ["layer_norm1.weight"] = "ln_1.weight", ["layer_norm1.bias"] = "ln_1.bias",
        ["layer_norm2.weight"] = "ln_2.weight", ["layer_norm2.bias"] = "ln_2.bias",
        ["self_attn.out_proj.weight"] = "attn.out_proj.weight", ["self_attn.out_proj.bias"] = "attn.out_proj.bias",
        ["mlp.fc1.weight"] = "mlp.c_fc.weight", ["mlp.fc1.bias"] = "mlp.c_fc.bias",
        ["mlp.fc2.weight"] = "mlp.c_proj.weight", ["mlp.fc2.bias"] = "mlp.c_proj.bias",
    };

    /// <summary>True when <paramref name="keys"/> use the transformers layout (any key under <c>vision_model.</c> or <c>text_model.</c>).</summary>
    public static bool IsHuggingFaceLayout(IEnumerable<string> keys) =>
        keys.Any(k => k.StartsWith("vision_model.", StringComparison.Ordinal) || k.StartsWith("text_model.", StringComparison.Ordinal));

    /// <summary>
    /// Returns the OpenCLIP-layout state dict. Renamed tensors are the same objects as in <paramref name="hf"/>;
    /// fused and transposed ones are new contiguous tensors (the inputs they came from are left to the caller).
    /// </summary>
    /// <param name="hf">State dict in the transformers layout.</param>
    /// <param name="sourcePath">The file the dict came from, for error messages.</param>
    /// <exception cref="ModelLoadException">An unknown key, an incomplete q/k/v triple, or mismatched q/k/v shapes.</exception>
    public static Dictionary<string, Tensor> ToOpenClip(IReadOnlyDictionary<string, Tensor> hf, string sourcePath)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var qkv = new SortedDictionary<string, Tensor?[]>(StringComparer.Ordinal);
        foreach (var (key, tensor) in hf)
        {
            if (key.EndsWith(".embeddings.position_ids", StringComparison.Ordinal)) continue;
            if (Fixed.TryGetValue(key, out var name))
            {
                Add(result, name, tensor, sourcePath);
                continue;
            }
            if (Transposed.TryGetValue(key, out name))
            {
                if (tensor.dim() != 2) throw new ModelLoadException(sourcePath, $"'{key}' has shape [{string.Join(",", tensor.shape)}], expected a matrix");
                Add(result, name, tensor.t().contiguous(), sourcePath);
                continue;
            }
            var m = Layer().Match(key);
            if (!m.Success) throw new ModelLoadException(sourcePath, $"'{key}' is not a known Hugging Face CLIP key");
            var block = $"{(m.Groups[1].Value == "vision" ? "visual.transformer" : "transformer")}.resblocks.{m.Groups[2].Value}.";
            var part = m.Groups[3].Value;
            if (LayerParts.TryGetValue(part, out var mapped))
            {
                Add(result, block + mapped, tensor, sourcePath);
                continue;
            }
            var attn = QkvPart().Match(part);
            if (!attn.Success) throw new ModelLoadException(sourcePath, $"'{key}' is not a known Hugging Face CLIP key");
            var fused = $"{block}attn.in_proj_{attn.Groups[2].Value}";
            if (!qkv.TryGetValue(fused, out var slots)) qkv[fused] = slots = new Tensor?[3];
            slots["qkv".IndexOf(attn.Groups[1].Value[0])] = tensor;
        }
        foreach (var (fused, slots) in qkv)
        {
            if (slots.Any(s => s is null))
                throw new ModelLoadException(sourcePath, $"'{fused}' needs q, k and v projections; only {string.Join(", ", "qkv".Where((_, i) => slots[i] is not null))} are present");
            if (slots.Any(s => !s!.shape.SequenceEqual(slots[0]!.shape)))
                throw new ModelLoadException(sourcePath, $"q, k and v projections for '{fused}' differ in shape");
            Add(result, fused, cat(slots!, 0), sourcePath);
        }
        return result;
    }

    private static void Add(Dictionary<string, Tensor> result, string key, Tensor tensor, string path)
    {
        if (!result.TryAdd(key, tensor)) throw new ModelLoadException(path, $"two Hugging Face keys map to '{key}'");
    }

    [GeneratedRegex(@"^(vision|text)_model\.encoder\.layers\.(\d+)\.(.+)$")]
    private static partial Regex Layer();

    [GeneratedRegex(@"^self_attn\.([qkv])_proj\.(weight|bias)$")]
    private static partial Regex QkvPart();
}
