using AnomalyClip.Clip.Weights;
using Xunit;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Tests.Support;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>Downloads from a local fake hub (never the internet) into a temporary cache.</summary>
public sealed class HubDownloadTests
{
    private const string Repo = "timm/vit_large_patch14_clip_336.openai";
    private const string Weights = "open_clip_model.safetensors";
    private const string Config = "open_clip_config.json";

    private static string RepoDir(TempDirectory cache) => cache.Sub("models--timm--vit_large_patch14_clip_336.openai");

    private static string Snapshot(TempDirectory cache) => Path.Combine(RepoDir(cache), "snapshots", FakeHub.Commit);

    private static byte[] GoldenBytes(string file) => File.ReadAllBytes(Path.Combine(Golden.TinyA, file));

    [Fact]
    public void Download_WritesHfCacheLayout_AndOfflineResolutionThenFindsIt()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        using var cache = new TempDirectory();
        var progress = new ProgressLog();
        var options = HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { Token = "hf_secret" };

        var model = ModelResolver.Resolve("ViT-L-14-336", options, progress);

        var snapshot = Snapshot(cache);
        Assert.Equal(ModelSource.Download, model.Source);
        Assert.Equal((Repo, FakeHub.Commit), (model.RepoId, model.Commit));
        Assert.Equal(new PretrainedModel("ViT-L-14-336", "openai", Repo), model.Pretrained);
        Assert.Equal(snapshot, model.Directory);
        Assert.Equal(Path.Combine(snapshot, Weights), model.WeightsPath);
        Assert.Equal(WeightFormat.SafeTensors, model.WeightFormat);
        Assert.Equal(Path.Combine(snapshot, Config), model.ConfigPath);
        Assert.Equal([Path.Combine(snapshot, "bpe_simple_vocab_16e6.txt.gz")], model.TokenizerFiles);
        Assert.Equal(GoldenBytes(Weights), File.ReadAllBytes(model.WeightsPath));
        Assert.Equal(GoldenBytes(Config), File.ReadAllBytes(model.ConfigPath!));
        Assert.False(File.Exists(Path.Combine(snapshot, "open_clip_pytorch_model.bin")), "only the preferred weight file is fetched");

        // huggingface_hub's layout: refs/main without newline, relative symlinks into blobs named by ETag.
        Assert.Equal(FakeHub.Commit, File.ReadAllText(Path.Combine(RepoDir(cache), "refs", "main")));
        Assert.Equal($"../../blobs/{hub.Get(Repo, Weights).Sha256}", new FileInfo(model.WeightsPath).LinkTarget);
        Assert.Equal($"../../blobs/{hub.Get(Repo, Config).Etag}", new FileInfo(model.ConfigPath!).LinkTarget);
        Assert.Equal(40, hub.Get(Repo, Config).Etag.Length);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir(cache), "blobs"), "*.incomplete"));
        Assert.Empty(Directory.GetFiles(snapshot, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));

        // Later requests pin the commit the first one resolved; every request carries the token.
        var requests = hub.Requests.ToList();
        Assert.Contains(requests, r => r.Path == $"/{Repo}/resolve/main/{Config}" && r.Method == "HEAD");
        Assert.Contains(requests, r => r.Path == $"/{Repo}/resolve/{FakeHub.Commit}/{Weights}" && r.Method == "HEAD");
        Assert.All(requests, r => Assert.Equal("Bearer hf_secret", r.Authorization));

        var size = GoldenBytes(Weights).Length;
        var reports = progress.Reports.Where(r => r.FileName == Weights).ToList();
        Assert.All(reports, r => Assert.Equal((Repo, (long)size), (r.RepoId, r.TotalBytes)));
        Assert.Equal(0, reports[0].BytesDone);
        Assert.Equal(size, reports[^1].BytesDone);
        Assert.True(reports.Count >= size / (1 << 20), $"{reports.Count} reports for {size} bytes");
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BytesDone > p.First.BytesDone), "progress is increasing");

        var before = hub.Requests.Count;
        var offline = ModelResolver.Resolve("hf-hub:" + Repo, options with { Offline = true });
        Assert.Equal(hub.Requests.Count, before);
        Assert.Equal(ModelSource.Cache, offline.Source);
        Assert.Equal((model.WeightsPath, model.ConfigPath, FakeHub.Commit), (offline.WeightsPath, offline.ConfigPath, offline.Commit));
        Assert.Null(offline.Pretrained);
    }

    [Fact]
    public void InterruptedTransfer_KeepsOnlyAnIncompleteFile_AndTheNextCallResumesWithARangeRequest()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        (served.CutAfterBytes, served.CutCount) = (5_000_000, 1);
        using var cache = new TempDirectory();
        var options = HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { DownloadRetries = 0 };

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, options));
        Assert.Contains($"{Repo}/{Weights}: truncated download: got 5000000 of {served.Content.Length} bytes", error.Message);
        var blob = Path.Combine(RepoDir(cache), "blobs", served.Sha256);
        Assert.False(File.Exists(blob));
        Assert.Equal(5_000_000, new FileInfo(blob + ".incomplete").Length);
        Assert.False(File.Exists(Path.Combine(Snapshot(cache), Weights)));
        Assert.False(File.Exists(Path.Combine(RepoDir(cache), "refs", "main")));

        var progress = new ProgressLog();
        var model = ModelResolver.Resolve(Repo, options, progress);

        Assert.Equal(["bytes=5000000-"], CdnGets(hub, served).Skip(1));
        Assert.Equal(5_000_000, progress.Reports.First(r => r.FileName == Weights).BytesDone);
        Assert.Equal(served.Content, File.ReadAllBytes(model.WeightsPath));
        Assert.False(File.Exists(blob + ".incomplete"));
    }

    [Fact]
    public void RepeatedInterruptions_AreResumedWithinOneCall()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        (served.CutAfterBytes, served.CutCount) = (3_000_000, 2);
        using var cache = new TempDirectory();

        var model = ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { DownloadRetries = 2 });

        Assert.Equal([null, "bytes=3000000-", "bytes=6000000-"], CdnGets(hub, served));
        Assert.Equal(served.Content, File.ReadAllBytes(model.WeightsPath));
    }

    [Fact]
    public void WrongAdvertisedSha256_Throws_AndLeavesNoFileBehind()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        var wrong = new string('a', 64);
        served.AdvertisedEtag = wrong;
        using var cache = new TempDirectory();

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint)));

        Assert.Contains($"{Repo}/{Weights}: checksum mismatch: sha256 of the {served.Content.Length} downloaded bytes is {served.Sha256}, expected {wrong}", error.Message);
        Assert.False(File.Exists(Path.Combine(Snapshot(cache), Weights)));
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir(cache), "blobs"), wrong + "*"));
    }

    [Fact]
    public void ExpectedSha256Option_ChecksFilesTheHubGivesNoSha256For()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        using var cache = new TempDirectory();
        var configSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(GoldenBytes(Config)));
        var wrong = new string('0', 64);

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo,
            HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { ExpectedSha256 = new Dictionary<string, string> { [Config] = wrong } }));
        Assert.Contains($"{Repo}/{Config}: checksum mismatch: sha256 of the {GoldenBytes(Config).Length} downloaded bytes is {configSha}, expected {wrong}", error.Message);
        Assert.False(File.Exists(Path.Combine(Snapshot(cache), Config)));
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir(cache), "blobs"), hub.Get(Repo, Config).Etag + "*"));

        var model = ModelResolver.Resolve(Repo,
            HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { ExpectedSha256 = new Dictionary<string, string> { [Config] = configSha.ToUpperInvariant() } });
        Assert.Equal(GoldenBytes(Config), File.ReadAllBytes(model.ConfigPath!));
    }

    [Fact]
    public void ExpectedSha256DifferentFromTheHubs_FailsBeforeDownloading()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        using var cache = new TempDirectory();
        var served = hub.Get(Repo, Weights);

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo,
            HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { ExpectedSha256 = new Dictionary<string, string> { [Weights] = new string('b', 64) } }));

        Assert.Contains($"the hub advertises sha256 {served.Sha256}, expected {new string('b', 64)}", error.Message);
        Assert.Empty(CdnGets(hub, served));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-10)]
    public void SizeDifferentFromTheAdvertisedOne_Throws_AndLeavesNoFileBehind(int delta)
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        served.AdvertisedSize = served.Content.Length + delta;
        using var cache = new TempDirectory();

        var error = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint)));

        Assert.Contains($"{Repo}/{Weights}: size mismatch: the server sends {served.Content.Length} bytes, the hub advertised {served.Content.Length + delta}", error.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir(cache), "blobs"), served.Sha256 + "*"));
        Assert.False(File.Exists(Path.Combine(Snapshot(cache), Weights)));
    }

    [Fact]
    public void RepoWithoutSafeTensors_FallsBackToThePyTorchFile_AndMissingTokenizerFilesAreNoError()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo, withSafeTensors: false);
        using var cache = new TempDirectory();

        var model = ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint));

        Assert.Equal(Path.Combine(Snapshot(cache), "open_clip_pytorch_model.bin"), model.WeightsPath);
        Assert.Equal(WeightFormat.PyTorchCheckpoint, model.WeightFormat);
        Assert.Equal(GoldenBytes("open_clip_pytorch_model.bin"), File.ReadAllBytes(model.WeightsPath));
        Assert.Contains(hub.Requests, r => r.Path.EndsWith("/vocab.json", StringComparison.Ordinal));
        Assert.Single(model.TokenizerFiles);
    }

    [Fact]
    public void MissingConfig_MissingWeights_AndUnknownRepo_AreNamedInTheError()
    {
        using var hub = new FakeHub();
        hub.Add("org/no-config", Weights, [1, 2, 3]);
        hub.Add("org/no-weights", Config, "{}"u8.ToArray(), lfs: false);
        using var cache = new TempDirectory();
        var options = HubTestSupport.Isolated(cache.Path, hub.Endpoint);

        var noConfig = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve("org/no-config", options));
        Assert.Contains($"org/no-config has no {Config} (HTTP 404)", noConfig.Message);
        var noWeights = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve("org/no-weights", options));
        Assert.Contains("org/no-weights has neither open_clip_model.safetensors nor open_clip_pytorch_model.bin (HTTP 404)", noWeights.Message);
        var noRepo = Assert.Throws<ModelLoadException>(() => ModelResolver.Resolve("org/absent", options));
        Assert.Contains($"repository org/absent not found on {hub.Endpoint}/ (no token was sent", noRepo.Message);
        Assert.Contains("/org/absent/resolve/main/", noRepo.FilePath);
        Assert.False(Directory.Exists(cache.Sub("models--org--absent", "snapshots")));
    }

    [Fact]
    public void RelativeRedirectsOfPlainFiles_AreFollowedForMetadataAndContent()
    {
        using var hub = new FakeHub { RelativeRedirects = true };
        hub.AddTinyA(Repo);
        using var cache = new TempDirectory();

        var model = ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint));

        Assert.Equal(GoldenBytes(Config), File.ReadAllBytes(model.ConfigPath!));
        Assert.Equal($"../../blobs/{hub.Get(Repo, Config).Etag}", new FileInfo(model.ConfigPath!).LinkTarget);
        var pinned = $"/{Repo}/resolve/resolve-cache-{FakeHub.Commit}/{Config}";
        Assert.Contains(hub.Requests, r => r.Method == "HEAD" && r.Path == pinned);
        Assert.Contains(hub.Requests, r => r.Method == "GET" && r.Path == pinned);
    }

    [Fact]
    public void TokenIsNotSentToAnotherHost()
    {
        using var hub = new FakeHub();
        using var cdn = new FakeHub();
        hub.AddTinyA(Repo);
        cdn.AddTinyA(Repo);
        hub.CdnEndpoint = cdn.Endpoint;
        using var cache = new TempDirectory();

        var model = ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { Token = "hf_secret" });

        Assert.Equal(GoldenBytes(Weights), File.ReadAllBytes(model.WeightsPath));
        Assert.All(hub.Requests, r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.NotEmpty(cdn.Requests);
        Assert.All(cdn.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task ADownloadHeldByAnother_IsAwaited_AndItsBlobReused()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        using var cache = new TempDirectory();
        var blob = Path.Combine(RepoDir(cache), "blobs", served.Sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);

        Task<ResolvedModel> resolving;
        using (var other = new FileStream(blob + ".incomplete", FileMode.Create, FileAccess.Write, FileShare.None))
        {
            resolving = ModelResolver.ResolveAsync(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint));
            await Task.Delay(1000);
            Assert.False(resolving.IsCompleted);
            // The other download finishes: its blob appears under the final name and it lets go of the partial file.
            File.WriteAllBytes(blob, served.Content);
        }
        File.Delete(blob + ".incomplete");
        var model = await resolving;

        Assert.Empty(CdnGets(hub, served));
        Assert.Equal(served.Content, File.ReadAllBytes(model.WeightsPath));
        Assert.False(File.Exists(blob + ".incomplete"));
    }

    [Fact]
    public void ADownloadHeldByAnotherThatMakesNoProgress_TimesOut()
    {
        using var hub = new FakeHub();
        hub.AddTinyA(Repo);
        var served = hub.Get(Repo, Weights);
        using var cache = new TempDirectory();
        var partial = Path.Combine(RepoDir(cache), "blobs", served.Sha256 + ".incomplete");
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        using var other = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None);

        var error = Assert.Throws<ModelLoadException>(() =>
            ModelResolver.Resolve(Repo, HubTestSupport.Isolated(cache.Path, hub.Endpoint) with { Timeout = TimeSpan.FromSeconds(1) }));

        Assert.Contains($"{Repo}/{Weights}: another download of this file holds it and has made no progress for 1 s", error.Message);
    }

    /// <summary>The Range header of each content GET of <paramref name="served"/>, in order (null: no Range).</summary>
    private static List<string?> CdnGets(FakeHub hub, FakeHub.ServedFile served) =>
        hub.Requests.Where(r => r.Method == "GET" && r.Path == $"/cdn/{hub.IndexOf(served)}").Select(r => r.Range).ToList();
}
