using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.IO;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Adapter;

public class AdapterWeightsTests
{
    [Fact]
    public void OfficialCheckpointImportsToTheGoldenTensors()
    {
        var golden = SafeTensors.Load(Golden.PathOf("aprilgan_linear_layers.safetensors"));
        var sd = TinyAprilGan.Adapter.StateDict();
        Assert.Equal(golden.Keys.OrderBy(k => k), sd.Keys.OrderBy(k => k));
        foreach (var (k, v) in golden) TensorAssert.Close(v, sd[k], 0, k);
        Assert.Equal(64, TinyAprilGan.Adapter.Metadata.InputWidth);
        Assert.Equal(32, TinyAprilGan.Adapter.Metadata.EmbedDim);
    }

    [Fact]
    public void ExportReimportAndNativeRoundTripsAreIdentical()
    {
        var dir = Directory.CreateTempSubdirectory("adapter-").FullName;
        var pth = Path.Combine(dir, "export.pth");
        TinyAprilGan.Adapter.ExportAprilGan(pth);
        using var back = AdapterWeights.Load(pth, importAs: TinyAprilGan.Metadata);
        var native = Path.Combine(dir, "adapter.safetensors");
        back.Save(native);
        using var again = AdapterWeights.Load(native);
        Assert.Equal(TinyAprilGan.Metadata.Taps, again.Metadata.Taps);
        Assert.Equal(48, again.Metadata.ImageSize);
        var a = TinyAprilGan.Adapter.StateDict();
        foreach (var (k, v) in again.StateDict()) TensorAssert.Close(a[k], v, 0, k);
        foreach (var (k, v) in back.StateDict()) TensorAssert.Close(a[k], v, 0, k);
    }

    [Fact]
    public void LinearOutputsMatchGolden()
    {
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        var tokens = Enumerable.Range(0, 4).Select(l => taps[l]).ToArray();
        using var _ = no_grad();
        var raw = TinyAprilGan.Adapter.Projector.ProjectRaw(tokens);
        var golden = Golden.AprilGan("aprilgan/linear/outputs");
        for (int l = 0; l < 4; l++) TensorAssert.Close(golden[l], raw[l], 1e-5, $"layer {l + 1}");
    }

    [Fact]
    public void MetadataSaysHowToLoadTheModelAndAMismatchIsRefused()
    {
        var options = TinyAprilGan.Metadata.ToLoadOptions(TorchSharp.torch.ScalarType.Float32);
        Assert.Equal((48, AnomalyClip.Clip.Config.Activation.Gelu), (options.ImageSize, options.Activation));
        // tiny-a as its config says (QuickGELU, 32 px) is not what the golden layers were trained on.
        var e = Assert.Throws<AdapterLoadException>(() => AnomalyClip.Inference.Detection.ZeroShotDetector.Create(TinyModels.Upstream, TinyAprilGan.Adapter));
        Assert.Contains("trained on Gelu features, the model runs QuickGelu", e.Message);
        Assert.Throws<System.Text.Json.JsonException>(() => AdapterMetadata.FromJson(TinyAprilGan.Metadata.ToJson().Replace("\"gelu\"", "\"relu\"")));
    }

    [Fact]
    public void AdapterForAnotherBackboneIsATypedError()
    {
        using var wide = AdapterWeights.CreateNew(TinyAprilGan.Metadata with { InputWidth = 1024, EmbedDim = 768 });
        var ex = Assert.Throws<AdapterLoadException>(() => wide.EnsureFits(TinyModels.AprilGan, "wide.safetensors"));
        Assert.Contains("width 1024", ex.Message);
        Assert.Contains("wide.safetensors", ex.Message);
    }

    [Fact]
    public void BrokenCheckpointsAreTypedErrors()
    {
        var dir = Directory.CreateTempSubdirectory("adapter-bad-").FullName;
        Assert.Throws<AdapterLoadException>(() => AdapterWeights.Load(Path.Combine(dir, "missing.pth")));
        var cut = Path.Combine(dir, "cut.pth");
        var bytes = File.ReadAllBytes(Golden.PathOf("aprilgan_linear_layers.pth"));
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        Assert.Throws<AdapterLoadException>(() => AdapterWeights.Load(cut, importAs: TinyAprilGan.Metadata));
        var ex = Assert.Throws<AdapterLoadException>(() => AdapterWeights.Load(Golden.PathOf("aprilgan_linear_layers.pth"), importAs: TinyAprilGan.Metadata with { Taps = [1, 2] }));
        Assert.Contains("4 linear layers", ex.Message);
    }
}
