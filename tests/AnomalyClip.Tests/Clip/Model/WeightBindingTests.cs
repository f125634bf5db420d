using AnomalyClip.Clip;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Model;

public class WeightBindingTests
{
    private static Dictionary<string, Tensor> TinyStateDict() => SafeTensors.Load(Path.Combine(Golden.TinyA, "open_clip_model.safetensors"));

    [Fact]
    public void Fp16WeightsUpcastGiveIdenticalOutputs()
    {
        using var model = TinyModels.Build(Golden.TinyAFp16, new ClipLoadOptions(DType: ScalarType.Float32));
        var images = Golden.Upstream("upstream/preprocess/images");
        using var enc = model.EncodeImage(images, [4]);
        using var reference = TinyModels.Upstream.EncodeImage(images, [4]);
        TensorAssert.Close(reference.Pooled!, enc.Pooled!, 0, "fp16 file vs fp32 file");
    }

    [Fact]
    public void HalfPrecisionModelStaysCloseAndKeepsLayerNormInFloat32()
    {
        using var model = TinyModels.Build(Golden.TinyA, new ClipLoadOptions(DType: ScalarType.BFloat16));
        Assert.Equal(ScalarType.Float32, model.Visual.ln_pre.weight.dtype);
        Assert.Equal(ScalarType.BFloat16, model.Visual.conv1.weight!.dtype);
        using var enc = model.EncodeImage(Golden.Upstream("upstream/preprocess/images"), [4]);
        using var cos = nn.functional.cosine_similarity(enc.Pooled!.to_type(ScalarType.Float32), Golden.Upstream("upstream/encode_image"), 1);
        Assert.True(cos.min().item<float>() > 0.99f, $"bf16 cosine {cos.min().item<float>()}");
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void ReducedPrecisionModelsHoldEveryWeightInTheirDtypeAndNoFloat32Copy(ScalarType dtype)
    {
        // Built directly in the compute dtype: only the LayerNorms and the logit scale are float32, so the parameter
        // bytes are half of the float32 model's up to those few vectors.
        using var model = ClipModel.CreateRandom(ClipModelConfigs.Get("ViT-B-32"), new ClipLoadOptions(DType: dtype));
        long reduced = 0, float32 = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            bool keepsFloat32 = name.Contains("ln_") || name == "logit_scale";
            Assert.True(p.dtype == (keepsFloat32 ? ScalarType.Float32 : dtype), $"{name} is {p.dtype}");
            if (keepsFloat32) float32 += p.numel(); else reduced += p.numel();
        }
        Assert.True(float32 < reduced / 1000, $"{float32} float32 values next to {reduced} in {dtype}");
        Assert.Equal(dtype, model.DType);
        Assert.Contains("asked for", model.Precision.Reason);
    }

    [Fact]
    public void TheDefaultPrecisionIsWhatAutoPicksForTheDevice()
    {
        using var model = ClipModel.CreateRandom(ModelConfigReader.ReadFolder(Golden.TinyA));
        Assert.Equal(ComputePrecision.Auto(CPU), model.Precision);
        Assert.Equal(ComputePrecision.Auto(CPU).DType, model.Visual.conv1.weight!.dtype);
    }

    [Fact]
    public void AnIntegerComputeDtypeIsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => ClipModel.CreateRandom(ModelConfigReader.ReadFolder(Golden.TinyA), new ClipLoadOptions(DType: ScalarType.Int32)));
        Assert.Contains("Int32", ex.Message);
    }

    [Fact]
    public void MissingUnexpectedAndMisShapedKeysAreAllNamed()
    {
        var sd = TinyStateDict();
        sd.Remove("visual.ln_post.bias");
        sd["visual.extra.weight"] = zeros(3);
        sd["text_projection"] = zeros(64, 31);
        var cfg = ModelConfigReader.ReadFolder(Golden.TinyA);
        var ex = Assert.Throws<ModelLoadException>(() => ClipModel.FromStateDict(cfg, sd, "weights.safetensors"));
        Assert.Contains("weights.safetensors", ex.Message);
        Assert.Contains("visual.ln_post.bias", ex.Message);
        Assert.Contains("visual.extra.weight", ex.Message);
        Assert.Contains("text_projection", ex.Message);
        Assert.Contains("[64,31]", ex.Message);
    }

    [Fact]
    public void WrongArchitectureIsReportedNotCrashed()
    {
        var sd = TinyStateDict();
        var ex = Assert.Throws<ModelLoadException>(() => ClipModel.FromStateDict(ClipModelConfigs.Get("ViT-B-32"), sd, "tiny.safetensors"));
        Assert.Contains("mis-shaped", ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void BuiltInConfigsHaveSpecShapesAndParameterCounts()
    {
        var l336 = ClipModelConfigs.Get("ViT-L-14-336-quickgelu");
        Assert.Equal(Activation.QuickGelu, l336.Activation);
        Assert.Equal(16, l336.Vision.Heads);
        Assert.Equal(24, l336.Vision.Grid);
        using var b32 = ClipModel.CreateRandom(ClipModelConfigs.Get("ViT-B-32"));
        // spec/openclip.md §1: ViT-B-32 has 151.28 M parameters (incl. logit_scale).
        Assert.Equal(151_277_313L, b32.parameters().Sum(p => p.numel()));
        Assert.Equal(302, b32.named_parameters().Count());
        Assert.Throws<ArgumentException>(() => ClipModelConfigs.Get("ViT-H-99"));
    }

    [Fact]
    public void ConfigReadersParseOpenClipAndHuggingFaceLayouts()
    {
        var cfg = ModelConfigReader.ReadFolder(Golden.TinyA);
        Assert.Equal(32, cfg.EmbedDim);
        Assert.Equal(Activation.QuickGelu, cfg.Activation);
        Assert.Equal(4, cfg.Vision.Heads);
        Assert.Equal(0.26862954f, cfg.Preprocess.Std[0]);
        var dir = Directory.CreateTempSubdirectory("hfcfg-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), """
            {"projection_dim": 768,
             "vision_config": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "patch_size": 14,
                               "image_size": 336, "intermediate_size": 4096, "hidden_act": "quick_gelu"},
             "text_config": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
                             "max_position_embeddings": 77, "vocab_size": 49408, "hidden_act": "quick_gelu"}}
            """);
        var hf = ModelConfigReader.ReadFolder(dir);
        Assert.Equal(ClipModelConfigs.Get("ViT-L-14-336").Vision, hf.Vision);
        Assert.Equal(ClipModelConfigs.Get("ViT-L-14-336").Text, hf.Text);
        Assert.Equal(Activation.QuickGelu, hf.Activation);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{\"vision_config\": 3");
        Assert.Throws<ModelLoadException>(() => ModelConfigReader.ReadFolder(dir));
    }
}
