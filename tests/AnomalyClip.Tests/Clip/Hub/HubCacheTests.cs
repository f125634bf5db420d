using AnomalyClip.Clip.Weights;
using Xunit;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Tests.Support;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>Resolution from a Hugging Face cache written the way Python's huggingface_hub writes it.</summary>
public sealed class HubCacheTests
{
    private const string Repo = "timm/vit_base_patch16_clip_224.openai";
    private const string Commit = "fedcba9876543210fedcba9876543210fedcba98";

    [Fact]
    public void HandMadeHfCache_IsFound_WithoutNetwork_EvenWhenOnline()
    {
        using var cache = new TempDirectory();
        var repoDir = HubTestSupport.WriteHfCache(cache.Path, Repo, Commit,
            "open_clip_config.json", "open_clip_model.safetensors", "open_clip_pytorch_model.bin");
        var network = new NoNetworkHandler();

        var model = ModelResolver.Resolve("ViT-B-16", HubTestSupport.Isolated(cache.Path, handler: network));

        var snapshot = Path.Combine(repoDir, "snapshots", Commit);
        Assert.Equal(0, network.Calls);
        Assert.Equal(ModelSource.Cache, model.Source);
        Assert.Equal((Repo, Commit), (model.RepoId, model.Commit));
        Assert.Equal(Path.Combine(snapshot, "open_clip_model.safetensors"), model.WeightsPath);
        Assert.Equal(Path.Combine(snapshot, "open_clip_config.json"), model.ConfigPath);
        Assert.Empty(model.TokenizerFiles);
        // The path is the snapshot symlink; reading it yields the blob's bytes.
        Assert.NotNull(new FileInfo(model.WeightsPath).LinkTarget);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Golden.TinyA, "open_clip_model.safetensors")), File.ReadAllBytes(model.WeightsPath));
    }

    [Fact]
    public void CacheWithOnlyThePyTorchFile_IsUsedAsIs()
    {
        using var cache = new TempDirectory();
        HubTestSupport.WriteHfCache(cache.Path, Repo, Commit, "open_clip_config.json", "open_clip_pytorch_model.bin");

        var model = ModelResolver.Resolve("hf-hub:" + Repo, HubTestSupport.Isolated(cache.Path, handler: new NoNetworkHandler()));

        Assert.Equal(WeightFormat.PyTorchCheckpoint, model.WeightFormat);
        Assert.EndsWith("/snapshots/" + Commit + "/open_clip_pytorch_model.bin", model.WeightsPath);
    }

    [Fact]
    public void ExplicitCommitRevision_NeedsNoRef()
    {
        using var cache = new TempDirectory();
        var repoDir = HubTestSupport.WriteHfCache(cache.Path, Repo, Commit, "open_clip_config.json", "open_clip_model.safetensors");
        File.Delete(Path.Combine(repoDir, "refs", "main"));

        var model = ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path) with { Offline = true, Revision = Commit });

        Assert.Equal(Commit, model.Commit);
    }

    [Fact]
    public void OfflineAndNotCached_ListsWhatIsMissing()
    {
        using var cache = new TempDirectory();
        var network = new NoNetworkHandler();
        var options = HubTestSupport.Isolated(cache.Path, handler: network) with { Offline = true };

        var none = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve("ViT-L-14-336", options));
        Assert.Equal(cache.Sub("models--timm--vit_large_patch14_clip_336.openai"), none.FilePath);
        Assert.Contains("timm/vit_large_patch14_clip_336.openai (revision main) is not in the Hugging Face cache and network access is off", none.Message);
        Assert.Contains("missing: refs/main.", none.Message);

        // A snapshot holding the weights but no config (a dangling link counts as absent).
        var repoDir = HubTestSupport.WriteHfCache(cache.Path, Repo, Commit, "open_clip_model.safetensors");
        File.CreateSymbolicLink(Path.Combine(repoDir, "snapshots", Commit, "open_clip_config.json"), "../../blobs/gone");
        var partial = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, options));
        Assert.Contains("missing: open_clip_config.json.", partial.Message);
        Assert.Equal(0, network.Calls);
    }

    [Fact]
    public void OfflineFromEnvironment_ForbidsNetwork()
    {
        using var cache = new TempDirectory();
        var network = new NoNetworkHandler();
        var options = HubTestSupport.Isolated(cache.Path, handler: network) with
        {
            Environment = name => name == "HF_HUB_OFFLINE" ? "1" : null,
        };

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, options));
        Assert.Contains("network access is off", error.Message);
        Assert.Equal(0, network.Calls);
    }

    [Fact]
    public void CorruptRef_IsReported()
    {
        using var cache = new TempDirectory();
        var repoDir = HubTestSupport.WriteHfCache(cache.Path, Repo, Commit, "open_clip_config.json", "open_clip_model.safetensors");
        File.WriteAllText(Path.Combine(repoDir, "refs", "main"), "not a hash");

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path) with { Offline = true }));

        Assert.Equal(Path.Combine(repoDir, "refs", "main"), error.FilePath);
        Assert.Contains("does not hold a 40-hex commit hash (found 'not a hash')", error.Message);
    }
}
