using AnomalyClip.Clip.Weights;
using Xunit;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Tests.Support;

namespace AnomalyClip.Tests.Clip.Hub;

public sealed class LocalModelTests
{
    private static ResolveOptions NoNetwork(TempDirectory cache) => HubTestSupport.Isolated(cache.Path, handler: new NoNetworkHandler());

    [Fact]
    public void Folder_PrefersSafeTensors_AndFindsTheConfig()
    {
        using var cache = new TempDirectory();
        var model = ModelResolver.Resolve(Golden.TinyA, NoNetwork(cache));

        Assert.Equal(ModelSource.LocalPath, model.Source);
        Assert.Equal(Path.GetFullPath(Golden.TinyA), model.Directory);
        Assert.Equal(Path.Combine(Path.GetFullPath(Golden.TinyA), "open_clip_model.safetensors"), model.WeightsPath);
        Assert.Equal(WeightFormat.SafeTensors, model.WeightFormat);
        Assert.Equal(Path.Combine(Path.GetFullPath(Golden.TinyA), "open_clip_config.json"), model.ConfigPath);
        Assert.Null(model.RepoId);
        Assert.Null(model.Commit);
        Assert.Empty(Directory.GetFileSystemEntries(cache.Path));
    }

    [Fact]
    public void LocalPaths_DoNotDependOnHubSettings()
    {
        var options = new ResolveOptions { Environment = name => name == "HF_ENDPOINT" ? "not a url" : null, HttpHandler = new NoNetworkHandler() };

        Assert.Equal(ModelSource.LocalPath, ModelResolver.Resolve(Golden.TinyA, options).Source);
        Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve("ViT-B-16", options));
    }

    [Fact]
    public void WeightFilePath_IsUsedDirectly()
    {
        using var cache = new TempDirectory();
        var bin = Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin");

        var model = ModelResolver.Resolve(bin, NoNetwork(cache));

        Assert.Equal(Path.GetFullPath(bin), model.WeightsPath);
        Assert.Equal(WeightFormat.PyTorchCheckpoint, model.WeightFormat);
        Assert.Equal(Path.Combine(Path.GetFullPath(Golden.TinyA), "open_clip_config.json"), model.ConfigPath);
    }

    [Fact]
    public void FolderWithPyTorchFileOnly_AndNoConfig_ResolvesWithNullConfig()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin"), dir.Sub("open_clip_pytorch_model.bin"));
        File.WriteAllText(dir.Sub("merges.txt"), "#version: 0.2\n");

        var model = ModelResolver.Resolve(dir.Path, NoNetwork(dir));

        Assert.Equal(dir.Sub("open_clip_pytorch_model.bin"), model.WeightsPath);
        Assert.Null(model.ConfigPath);
        Assert.Equal([dir.Sub("merges.txt")], model.TokenizerFiles);
    }

    [Fact]
    public void FolderWithoutWeights_ListsWhatItHolds()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub("weights.onnx"), "x");
        File.WriteAllText(dir.Sub("config.json"), "{}");

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(dir.Path, NoNetwork(dir)));

        Assert.Equal(dir.Path, error.FilePath);
        Assert.Contains("folder has no open_clip_model.safetensors or open_clip_pytorch_model.bin (OpenCLIP), " +
            "nor model.safetensors or model.safetensors.index.json or pytorch_model.bin (transformers) (it holds: config.json, weights.onnx)", error.Message);
    }

    [Fact]
    public void UnknownFileType_AndMissingPath_AreErrors()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub("weights.onnx"), "x");

        var type = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(dir.Sub("weights.onnx"), NoNetwork(dir)));
        Assert.Contains("not a known weight file type", type.Message);

        var missing = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(dir.Sub("absent", "model"), NoNetwork(dir)));
        Assert.Equal(dir.Sub("absent", "model"), missing.FilePath);
        Assert.Contains("no such folder or weight file", missing.Message);
    }
}
