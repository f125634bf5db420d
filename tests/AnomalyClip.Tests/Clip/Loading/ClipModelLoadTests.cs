using AnomalyClip.Clip.Weights;
using System.Text.Json.Nodes;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Clip.Model;
using AnomalyClip.Tests.Clip.Hub;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Loading;

/// <summary>
/// <see cref="ClipModel.Load"/> on every on-disk layout of tiny-a: each must reproduce the upstream OpenCLIP (or
/// APRIL-GAN) encoder outputs to 1e-5, and bad inputs must fail with a <see cref="ModelLoadException"/> naming the file.
/// </summary>
public sealed class ClipModelLoadTests
{
    private const double Tol = 1e-5;
    private static readonly string Bpe = Golden.PathOf("bpe_simple_vocab_16e6.txt.gz");

    private static ClipModel Load(string path, ClipLoadOptions? options = null) =>
        ClipModel.Load(path, options: options ?? new ClipLoadOptions(DType: ScalarType.Float32, TokenizerFile: Bpe),
            resolve: HubTestSupport.Isolated(Path.GetTempPath(), handler: new NoNetworkHandler()));

    /// <summary>Images and texts through <paramref name="model"/> equal upstream/encode_image, every block and upstream/encode_text.</summary>
    private static void AssertUpstreamOutputs(ClipModel model)
    {
        using var scope = NewDisposeScope();
        using var enc = model.EncodeImage(Golden.Upstream("upstream/preprocess/images"), [1, 2, 3, 4]);
        TensorAssert.Close(Golden.Upstream("upstream/encode_image"), enc.Pooled!, Tol, "pooled");
        var blocks = Golden.Upstream("upstream/visual/block_out");
        for (int b = 0; b < 4; b++) TensorAssert.Close(blocks[b], enc.Tokens[b], Tol, $"block {b + 1}");
        TensorAssert.Close(Golden.Upstream("upstream/encode_text"), model.EncodeText(Golden.Upstream("upstream/text/tokens")), Tol, "encode_text");
    }

    [Fact]
    public void GoldenFolder_WithTokenizerOption_MatchesUpstreamEncodersAndTokens()
    {
        using var model = Load(Golden.TinyA);
        Assert.Equal(Activation.QuickGelu, model.Config.Activation);
        Assert.Equal("tiny-a", model.Config.Name);
        AssertUpstreamOutputs(model);
        var texts = Golden.Manifest["upstream_openclip"]!["text_inputs"]!.AsArray().Select(t => (string)t!).ToList();
        using var ids = model.Tokenizer!.Tokenize(texts);
        TensorAssert.Equal(Golden.Upstream("upstream/text/tokens"), ids, "tokens");
    }

    [Fact]
    public void FolderWithPyTorchBinAndConfigOnly_MatchesUpstream()
    {
        using var dir = new TempDirectory();
        File.Copy(TinyAFolders.PyTorchFile, dir.Sub("open_clip_pytorch_model.bin"));
        File.Copy(TinyAFolders.OpenClipConfig, dir.Sub("open_clip_config.json"));
        using var model = Load(dir.Path);
        AssertUpstreamOutputs(model);
    }

    [Fact]
    public void Fp16Folder_UpcastsToTheSameOutputs()
    {
        using var model = Load(Golden.TinyAFp16);
        Assert.Equal(ScalarType.Float32, model.DType);
        AssertUpstreamOutputs(model);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TransformersFolder_SingleFileOrSharded_MatchesUpstream(bool sharded)
    {
        using var dir = new TempDirectory();
        TinyAFolders.WriteTransformersFolder(dir, sharded);
        var resolved = ModelResolver.Resolve(dir.Path);
        Assert.Equal(dir.Sub("config.json"), resolved.ConfigPath);
        Assert.Equal(dir.Sub(sharded ? "model.safetensors.index.json" : "model.safetensors"), resolved.WeightsPath);
        Assert.Equal(sharded ? WeightFormat.ShardedSafeTensors : WeightFormat.SafeTensors, resolved.WeightFormat);

        using var model = Load(dir.Path);
        var c = model.Config;
        Assert.Equal((32, 64, 16, 4, 256), (c.EmbedDim, c.Vision.Width, c.Vision.HeadWidth, c.Vision.Layers, c.Vision.MlpWidth));
        Assert.Equal((77, 49408, 4, 2, 256), (c.Text.ContextLength, c.Text.VocabSize, c.Text.Heads, c.Text.Layers, c.Text.MlpWidth));
        Assert.Equal(Activation.QuickGelu, c.Activation); // transformers' default hidden_act
        AssertUpstreamOutputs(model);
    }

    [Fact]
    public void TransformersFolderWithPyTorchBin_IsFoundAfterSafeTensorsNames()
    {
        using var dir = new TempDirectory();
        File.Copy(TinyAFolders.PyTorchFile, dir.Sub("pytorch_model.bin"));
        File.WriteAllText(dir.Sub("config.json"), TinyAFolders.HfConfig().ToJsonString());
        var resolved = ModelResolver.Resolve(dir.Path);
        Assert.Equal(dir.Sub("pytorch_model.bin"), resolved.WeightsPath);
        Assert.Equal(dir.Sub("config.json"), resolved.ConfigPath);
        // OpenCLIP keys in a transformers-named file load too: the key layout is detected from the content.
        using var model = Load(dir.Path);
        AssertUpstreamOutputs(model);
    }

    [Fact]
    public void WeightFileWithoutConfig_InfersTinyAsShapesWithOpenAiHeadsAndQuickGelu()
    {
        using var dir = new TempDirectory();
        File.Copy(TinyAFolders.SafeTensorsFile, dir.Sub("tiny.safetensors"));
        Assert.Null(ModelResolver.Resolve(dir.Sub("tiny.safetensors")).ConfigPath);

        using var model = Load(dir.Sub("tiny.safetensors"));
        var inferred = model.Config;
        var expected = ModelConfigReader.ReadOpenClip(TinyAFolders.OpenClipConfig);
        Assert.Equal("tiny", inferred.Name);
        Assert.Equal(Activation.QuickGelu, inferred.Activation);
        Assert.Equal(expected.EmbedDim, inferred.EmbedDim);
        // Heads are not in any tensor shape: OpenAI's rule gives width/64 = 1 head where tiny-a has 4.
        Assert.Equal(expected.Vision with { HeadWidth = 64 }, inferred.Vision);
        Assert.Equal(expected.Text with { Heads = 1 }, inferred.Text);
        Assert.Equal(expected.Preprocess.Mean, inferred.Preprocess.Mean);
        Assert.Equal(expected.Preprocess.Std, inferred.Preprocess.Std);
        Assert.Equal((expected.Preprocess.Interpolation, expected.Preprocess.ResizeMode), (inferred.Preprocess.Interpolation, inferred.Preprocess.ResizeMode));

        // The loader really runs the inferred architecture: the .bin built under it by hand gives identical outputs.
        var images = Golden.Upstream("upstream/preprocess/images");
        using var reference = BuildWith(inferred);
        using var a = model.EncodeImage(images, [4]);
        using var b = reference.EncodeImage(images, [4]);
        TensorAssert.Close(b.Pooled!, a.Pooled!, 0, "pooled");
    }

    [Fact]
    public void OpenAiTorchScriptFile_LoadsWithTheInferredConfig()
    {
        using var dir = new TempDirectory();
        var weights = AnomalyClip.Clip.IO.SafeTensors.Load(Path.Combine(Golden.TinyAFp16, "open_clip_model.safetensors"));
        new AnomalyClip.Tests.Clip.Weights.SyntheticTorchScript().Write(dir.Sub("ViT-tiny.pt"), weights);
        foreach (var t in weights.Values) t.Dispose();

        using var model = Load(dir.Sub("ViT-tiny.pt"));
        Assert.Equal("ViT-tiny", model.Config.Name);
        Assert.Equal(Activation.QuickGelu, model.Config.Activation);
        Assert.Equal((64, 4, 8, 32), (model.Config.Vision.Width, model.Config.Vision.Layers, model.Config.Vision.PatchSize, model.Config.Vision.ImageSize));
        Assert.Equal((64, 1, 2), (model.Config.Text.Width, model.Config.Text.Heads, model.Config.Text.Layers));
        using var reference = BuildWith(model.Config);
        var images = Golden.Upstream("upstream/preprocess/images");
        using var a = model.EncodeImage(images, [2]);
        using var b = reference.EncodeImage(images, [2]);
        TensorAssert.Close(b.Pooled!, a.Pooled!, 0, "pooled");
        TensorAssert.Close(b.Tokens[0], a.Tokens[0], 0, "tap 2");
    }

    private static ClipModel BuildWith(ClipModelConfig config)
    {
        var sd = AnomalyClip.Clip.Weights.WeightFile.Load(TinyAFolders.PyTorchFile);
        try
        {
            return ClipModel.FromStateDict(config, sd, TinyAFolders.PyTorchFile, new ClipLoadOptions(DType: ScalarType.Float32));
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    [Fact]
    public void ImageSize48WithGelu_ReproducesAprilGanEncoder()
    {
        using var model = Load(Golden.TinyA, new ClipLoadOptions(48, Activation.Gelu, ScalarType.Float32, Bpe));
        Assert.Equal(48, model.ImageSize);
        using var enc = model.EncodeImage(Golden.AprilGan("aprilgan/input/images"), [1, 2, 3, 4]);
        TensorAssert.Close(Golden.AprilGan("aprilgan/encode_image/pooled"), enc.Pooled!, Tol, "pooled");
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        for (int l = 0; l < 4; l++) TensorAssert.Close(taps[l], enc.Tokens[l], Tol, $"tap {l + 1}");
    }

    [Fact]
    public void EmptyFolder_IsAnErrorNamingTheFolder()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<ModelLoadException>(() => Load(dir.Path));
        Assert.Equal(dir.Path, ex.FilePath);
        Assert.Contains("it holds: nothing", ex.Message);
    }

    [Theory]
    [InlineData("open_clip_model.safetensors")]
    [InlineData("open_clip_pytorch_model.bin")]
    public void TruncatedWeightFile_IsAnErrorNamingTheFile(string name)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(Path.Combine(Golden.TinyA, name));
        File.WriteAllBytes(dir.Sub(name), bytes[..(bytes.Length / 2)]);
        File.Copy(TinyAFolders.OpenClipConfig, dir.Sub("open_clip_config.json"));
        var ex = Assert.Throws<ModelLoadException>(() => Load(dir.Path));
        Assert.Equal(dir.Sub(name), ex.FilePath);
    }

    [Fact]
    public void ConfigWithWrongWidth_IsAnErrorNamingWeightsAndConfig()
    {
        using var dir = new TempDirectory();
        File.Copy(TinyAFolders.SafeTensorsFile, dir.Sub("open_clip_model.safetensors"));
        var config = JsonNode.Parse(File.ReadAllText(TinyAFolders.OpenClipConfig))!;
        config["model_cfg"]!["vision_cfg"]!["width"] = 96;
        File.WriteAllText(dir.Sub("open_clip_config.json"), config.ToJsonString());
        var ex = Assert.Throws<ModelLoadException>(() => Load(dir.Path));
        Assert.Equal(dir.Sub("open_clip_model.safetensors"), ex.FilePath);
        Assert.Contains("visual.conv1.weight: file [64,3,8,8], model [96,3,8,8]", ex.Message);
        Assert.Contains(dir.Sub("open_clip_config.json"), ex.Message);
    }

    [Fact]
    public void TransformersConfigThatIsNotClip_IsAnErrorNamingIt()
    {
        using var dir = new TempDirectory();
        File.Copy(TinyAFolders.SafeTensorsFile, dir.Sub("model.safetensors"));
        File.WriteAllText(dir.Sub("config.json"), """{"architecture": "vit_base_patch32_clip_224", "num_classes": 512}""");
        var ex = Assert.Throws<ModelLoadException>(() => Load(dir.Path));
        Assert.Equal(dir.Sub("config.json"), ex.FilePath);
        Assert.Contains("vision_config", ex.Message);
    }
}
