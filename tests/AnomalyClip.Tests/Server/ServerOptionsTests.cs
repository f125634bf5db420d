using System.Net;
using System.Text.Json;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using AnomalyClip.Tests.Support;
using Xunit;
using static AnomalyClip.Tests.Server.ServerFixture;

namespace AnomalyClip.Tests.Server;

/// <summary>The server's config file, its default (the bundled samples), and detectors built from it.</summary>
public class ServerOptionsTests
{
    private static string Write(string json)
    {
        var dir = Directory.CreateTempSubdirectory("server-config-").FullName;
        var path = Path.Combine(dir, "server.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void AConfigFileResolvesItsPathsBesideItself()
    {
        var path = Write("""
            // comments are allowed
            { "device": "cpu", "batch_limit": 4, "queue_limit": 10,
              "classes": { "nut": { "backbone": "resnet18", "references": "refs/good", "k": 2, "thresholds": "nut.json" },
                           "bottle": { "backbone": "clip", "adapter": "a.safetensors", "model": "ViT-L-14-336" } } }
            """);
        var options = ServerOptions.Load(path);
        var dir = Path.GetDirectoryName(path)!;
        Assert.Equal((4, 10), (options.BatchLimit, options.QueueLimit));
        Assert.Equal(Path.Combine(dir, "refs", "good"), options.Classes["nut"].References);
        Assert.Equal(Path.Combine(dir, "nut.json"), options.Classes["nut"].Thresholds);
        Assert.Equal(2, options.Classes["nut"].K);
        Assert.Equal(Path.Combine(dir, "a.safetensors"), options.Classes["bottle"].Adapter);
        Assert.Equal("ViT-L-14-336", options.Classes["bottle"].Model); // a model name, not a path beside the config
    }

    [Theory]
    [InlineData("""{ "classes": { "a": { "references": "r" } }, "batch_limits": 2 }""", "batch_limits")]
    [InlineData("""{ "classes": { } }""", "no classes")]
    [InlineData("""{ "classes": { "a": { "backbone": "resnet18" } } }""", "few-shot only")]
    [InlineData("""{ "classes": { "a": { "backbone": "vgg", "references": "r" } } }""", "unknown backbone 'vgg'")]
    [InlineData("""{ "classes": { "a": { "backbone": "clip" } } }""", "needs an adapter")]
    [InlineData("""{ "classes": { "a": { "references": "r", "bank": "b" } } }""", "references or bank")]
    [InlineData("""{ "classes": { "a": { "references": "r", "k": 0 } } }""", "k must be at least 1")]
    [InlineData("""{ "classes": { "a": { "references": "r" } }, "batch_limit": 0 }""", "batch_limit")]
    [InlineData("""{ "classes": """, "malformed")]
    [InlineData("""{ "classes": { "a": { "backbone": "clip", "adapter": "x.pth", "dtype": "int8" } } }""", "unknown dtype 'int8'")]
    [InlineData("""{ "classes": { "a": { "references": "r", "model": "ViT-B-16" } } }""", "model and adapter apply to backbone clip")]
    [InlineData("""{ "classes": { "a": { "references": "r", "dtype": "fp8" } } }""", "unknown dtype 'fp8'")]
    public void BadConfigsNameTheFileAndTheProblem(string json, string expected)
    {
        var path = Write(json);
        var e = Assert.Throws<ServerConfigException>(() => ServerOptions.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void WithoutAConfigTheSampleClassesAreServed()
    {
        var options = ServerOptions.ForSamples(Golden.Samples);
        Assert.Equal([Hazelnut, Paper], options.Classes.Keys.Order(StringComparer.Ordinal));
        var spec = options.Classes[Hazelnut];
        Assert.Equal((DetectorSpec.ResNet18, 4, 42), (spec.Backbone, spec.K, spec.Seed));
        Assert.Equal(Sample(Hazelnut, "train", "good"), spec.References);
        Assert.Equal(spec.References, spec.CalibrationNormals);
        Assert.Throws<ServerConfigException>(() => ServerOptions.ForSamples(Path.GetTempPath()));
    }

    [Fact]
    public async Task TheConfiguredDetectorIsBuiltCalibratedAndServed()
    {
        var path = Write($$"""
            { "classes": { "{{Paper}}": { "references": {{JsonSerializer.Serialize(Sample(Paper, "train", "good"))}}, "k": 2,
                                          "calibration_normals": {{JsonSerializer.Serialize(Sample(Paper, "train", "good"))}} } } }
            """);
        await using var app = await StartConfiguredAsync(ServerOptions.Load(path));
        using var client = Client(app);
        using var detectors = JsonDocument.Parse(await client.GetStringAsync("/v1/detectors"));
        var info = detectors.RootElement.GetProperty("classes")[0];
        Assert.Equal("normal-quantile-0.99", info.GetProperty("threshold_method").GetString());
        using var response = await InspectAsync(client, Png(Paper, "impurity", Directory.GetFiles(Sample(Paper, "test", "impurity")).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!),
            query: $"class={Paper}&return=mask");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotEqual(JsonValueKind.Null, json.RootElement.GetProperty("label").ValueKind);
        Assert.True(json.RootElement.TryGetProperty("mask_png", out _));
    }

    [Fact]
    public void AClipClassLoadsItsModelInTheConfiguredDtypeAndSharesIt()
    {
        var dir = Directory.CreateTempSubdirectory("server-clip-").FullName;
        var adapter = Path.Combine(dir, "adapter.safetensors");
        TinyAprilGan.Adapter.Save(adapter);
        DetectorSpec Clip(string? dtype) => new() { Backbone = DetectorSpec.Clip, Model = Golden.TinyA, Adapter = adapter, Dtype = dtype };
        var options = new ServerOptions { Classes = new Dictionary<string, DetectorSpec> { ["half"] = Clip("bf16"), ["same"] = Clip("bfloat16"), ["full"] = Clip("fp32"), ["auto"] = Clip(null) } };
        options.Validate("test config");
        using var set = DetectorFactory.Load(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        AnomalyClip.Clip.Model.ClipModel Model(string name) => ((AnomalyClip.Inference.Detection.ZeroShotDetector)set.Classes[name].Detector).Clip;
        Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, Model("half").DType);
        Assert.Same(Model("half"), Model("same"));
        Assert.Equal(TorchSharp.torch.ScalarType.Float32, Model("full").DType);
        Assert.Equal(AnomalyClip.Clip.Model.ComputePrecision.Auto(TorchSharp.torch.CPU).DType, Model("auto").DType);
    }

    [Fact]
    public async Task ABankOfAnotherClassFailsTheLoadByName()
    {
        var bank = Path.Combine(Directory.CreateTempSubdirectory("server-bank-").FullName, "nut.bank.safetensors");
        Detector.Banks[Hazelnut].Save(bank);
        var options = new ServerOptions { Classes = new Dictionary<string, DetectorSpec> { ["other"] = new() { Bank = bank } } };
        await using var app = await StartConfiguredAsync(options, waitReady: false);
        var host = Host(app);
        for (int i = 0; i < 400 && host.State == InspectionHost.Loading; i++) await Task.Delay(25);
        Assert.Equal(InspectionHost.Failed, host.State);
        Assert.Contains("class 'other'", host.Failure);
        Assert.Contains($"is of class '{Hazelnut}'", host.Failure);
    }
}
