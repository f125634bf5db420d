using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Weights;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

public class HuggingFaceClipKeysTests
{
    private static Dictionary<string, Tensor> TinyA() => SafeTensors.Load(Path.Combine(Golden.TinyA, "open_clip_model.safetensors"));

    /// <summary>
    /// The transformers layout, written independently of the code under test, from spec/openclip.md §4b read in
    /// the HF → OpenCLIP direction's inverse (what convert_clip_original_pytorch_to_hf.py does).
    /// </summary>
    internal static Dictionary<string, Tensor> ToHf(Dictionary<string, Tensor> oc)
    {
        var hf = new Dictionary<string, Tensor>();
        var block = new Dictionary<string, string>
        {
            ["ln_1"] = "layer_norm1", ["ln_2"] = "layer_norm2", ["attn.out_proj"] = "self_attn.out_proj",
            ["mlp.c_fc"] = "mlp.fc1", ["mlp.c_proj"] = "mlp.fc2",
        };
        foreach (var (k, t) in oc)
        {
            var tower = k.StartsWith("visual.", StringComparison.Ordinal) ? "vision_model" : "text_model";
            var rest = k.StartsWith("visual.", StringComparison.Ordinal) ? k["visual.".Length..] : k;
            if (rest.StartsWith("transformer.resblocks.", StringComparison.Ordinal))
            {
                var parts = rest.Split('.', 4); // transformer, resblocks, i, tail
                var layer = $"{tower}.encoder.layers.{parts[2]}.";
                var tail = parts[3];
                if (tail.StartsWith("attn.in_proj_", StringComparison.Ordinal))
                {
                    var kind = tail["attn.in_proj_".Length..];
                    var chunks = t.chunk(3, 0);
                    hf[layer + $"self_attn.q_proj.{kind}"] = chunks[0].clone();
                    hf[layer + $"self_attn.k_proj.{kind}"] = chunks[1].clone();
                    hf[layer + $"self_attn.v_proj.{kind}"] = chunks[2].clone();
                    continue;
                }
                var leaf = tail[(tail.LastIndexOf('.') + 1)..];
                hf[layer + block[tail[..tail.LastIndexOf('.')]] + "." + leaf] = t;
                continue;
            }
            var name = k switch
            {
                "visual.conv1.weight" => "vision_model.embeddings.patch_embedding.weight",
                "visual.class_embedding" => "vision_model.embeddings.class_embedding",
                "visual.positional_embedding" => "vision_model.embeddings.position_embedding.weight",
                "visual.ln_pre.weight" => "vision_model.pre_layrnorm.weight",
                "visual.ln_pre.bias" => "vision_model.pre_layrnorm.bias",
                "visual.ln_post.weight" => "vision_model.post_layernorm.weight",
                "visual.ln_post.bias" => "vision_model.post_layernorm.bias",
                "visual.proj" => "visual_projection.weight",
                "token_embedding.weight" => "text_model.embeddings.token_embedding.weight",
                "positional_embedding" => "text_model.embeddings.position_embedding.weight",
                "ln_final.weight" => "text_model.final_layer_norm.weight",
                "ln_final.bias" => "text_model.final_layer_norm.bias",
                "text_projection" => "text_projection.weight",
                "logit_scale" => "logit_scale",
                _ => throw new InvalidOperationException(k),
            };
            hf[name] = name.EndsWith("projection.weight", StringComparison.Ordinal) ? t.t().contiguous() : t;
        }
        hf["vision_model.embeddings.position_ids"] = arange(17, ScalarType.Int64).unsqueeze(0);
        hf["text_model.embeddings.position_ids"] = arange(77, ScalarType.Int64).unsqueeze(0);
        return hf;
    }

    [Fact]
    public void TransformersLayoutSafetensorsMapsBackExactly()
    {
        var oc = TinyA();
        var hf = ToHf(oc);
        Assert.True(HuggingFaceClipKeys.IsHuggingFaceLayout(hf.Keys));
        Assert.False(HuggingFaceClipKeys.IsHuggingFaceLayout(oc.Keys));
        var path = Path.Combine(Directory.CreateTempSubdirectory("hf-").FullName, "model.safetensors");
        SafeTensors.Save(path, hf);
        WeightAssert.BitIdentical(WeightAssert.WithScalarLogitScale(oc), WeightFile.Load(path));
    }

    [Fact]
    public void InProjRowsAreQThenKThenV()
    {
        var hf = new Dictionary<string, Tensor>
        {
            ["vision_model.encoder.layers.0.self_attn.v_proj.weight"] = full(2, 2, 3f),
            ["vision_model.encoder.layers.0.self_attn.q_proj.weight"] = full(2, 2, 1f),
            ["vision_model.encoder.layers.0.self_attn.k_proj.weight"] = full(2, 2, 2f),
            ["visual_projection.weight"] = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(3, 2), // [embed 3, width 2]
        };
        var oc = HuggingFaceClipKeys.ToOpenClip(hf, "mem");
        Assert.Equal(new float[] { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 }, oc["visual.transformer.resblocks.0.attn.in_proj_weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, oc["visual.proj"].shape);
        Assert.Equal(new float[] { 1, 3, 5, 2, 4, 6 }, oc["visual.proj"].data<float>().ToArray());
    }

    [Fact]
    public void IncompleteQkvAndUnknownKeysAreErrors()
    {
        var partial = new Dictionary<string, Tensor>
        {
            ["text_model.encoder.layers.1.self_attn.q_proj.bias"] = zeros(2),
            ["text_model.encoder.layers.1.self_attn.v_proj.bias"] = zeros(2),
        };
        var ex = Assert.Throws<ModelLoadException>(() => HuggingFaceClipKeys.ToOpenClip(partial, "partial.safetensors"));
        Assert.Contains("transformer.resblocks.1.attn.in_proj_bias", ex.Message);
        Assert.Contains("partial.safetensors", ex.Message);

        var unknown = new Dictionary<string, Tensor> { ["vision_model.encoder.layers.0.self_attn.rotary.weight"] = zeros(2) };
        Assert.Throws<ModelLoadException>(() => HuggingFaceClipKeys.ToOpenClip(unknown, "x"));
    }
}
