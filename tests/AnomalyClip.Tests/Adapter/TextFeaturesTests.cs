using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Adapter;

public class TextFeaturesTests
{
    [Fact]
    public void TestClassFeaturesMatchGolden()
    {
        using var features = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var golden = Golden.AprilGan("aprilgan/text_features_test_classes");
        TensorAssert.Close(golden[0], features.For("bottle"), 1e-5, "bottle");
        TensorAssert.Close(golden[1], features.For("screw"), 1e-5, "screw");
        using var norms = features.For("bottle").norm(0);
        TensorAssert.Close(ones(2, dtype: ScalarType.Float32), norms, 1e-5, "unit columns");
    }

    [Fact]
    public void AllTwentySevenClassesMatchGolden()
    {
        var classes = Golden.Manifest["aprilgan"]!["all_classes"]!.AsArray().Select(n => (string)n!).ToArray();
        var golden = Golden.AprilGan("aprilgan/text_features_all_classes");
        using var features = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        for (int i = 0; i < classes.Length; i++) TensorAssert.Close(golden[i], features.For(classes[i]), 1e-5, classes[i]);
    }

    [Fact]
    public void TextProbeMatchesGolden()
    {
        var texts = Golden.Manifest["aprilgan"]!["text_probe"]!.AsArray().Select(n => (string)n!).ToArray();
        using var ids = TinyAprilGan.Tokenizer.Tokenize(texts);
        using var emb = TinyModels.AprilGan.EncodeText(ids);
        TensorAssert.Close(Golden.AprilGan("aprilgan/text_probe/encode_text"), emb, 1e-5, "encode_text");
    }

    [Fact]
    public void PromptSetsAndClassNames()
    {
        Assert.Equal(245, PromptSet.Paper.Sentences("bottle", abnormal: false).Count);
        Assert.Equal(175, PromptSet.Paper.Sentences("bottle", abnormal: true).Count);
        Assert.Equal("a bad photo of a damaged metal_nut.", PromptSet.Paper.Sentences("metal_nut", abnormal: true)[0]);
        Assert.Equal("metal nut", ClassNames.ToObjectName("metal_nut", readable: true));
        Assert.Equal("object", ClassNames.ToObjectName(null));
        var path = Path.Combine(Directory.CreateTempSubdirectory("prompts-").FullName, "p.json");
        File.WriteAllText(path, """{"normal": ["good {}"], "abnormal": ["bad {}"], "templates": ["a {}."]}""");
        var custom = PromptSet.FromJsonFile(path);
        Assert.Equal(["a good cable."], custom.Sentences("cable", false));
        File.WriteAllText(path, """{"normal": []}""");
        Assert.Throws<InvalidDataException>(() => PromptSet.FromJsonFile(path));
    }

    [Fact]
    public void ReleasedTextTowerServesCacheAndRefusesNewClasses()
    {
        using var model = TinyModels.Build(Golden.TinyA, new AnomalyClip.Clip.Model.ClipLoadOptions(48, AnomalyClip.Clip.Config.Activation.Gelu, TorchSharp.torch.ScalarType.Float32));
        using var features = new TextFeatures(model, TinyAprilGan.Tokenizer);
        features.Precompute(["bottle"]);
        features.ReleaseTextTower();
        TensorAssert.Close(Golden.AprilGan("aprilgan/text_features_test_classes")[0], features.For("bottle"), 1e-5, "cached");
        Assert.Throws<InvalidOperationException>(() => features.For("screw"));
    }
}
