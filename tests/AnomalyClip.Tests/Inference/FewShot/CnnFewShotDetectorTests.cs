using AnomalyClip.Clip;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.FewShot;

/// <summary>The offline ResNet-18 few-shot detector on the real sample images.</summary>
public class CnnFewShotDetectorTests
{
    private static string[] Train(string cls) => Directory.GetFiles(Path.Combine(Golden.Samples, cls, "train", "good")).Order(StringComparer.Ordinal).ToArray();

    private static string[] Test(string cls, string folder) =>
        Directory.GetFiles(Path.Combine(Golden.Samples, cls, "test", folder)).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void BankIsBuiltInOnePassPerBatchAndCalibratedLeaveOneOut()
    {
        var backbone = SharedResNet18.View();
        using var detector = CnnFewShotDetector.Create(backbone, Train("hazelnut_toy")[..4], "hazelnut_toy", new CnnFewShotOptions(BatchSize: 2));
        // 4 references at 2 per pass, each with its 2 mirror images: 2 forward passes build the bank AND its
        // calibration (no second encoding).
        Assert.Equal((2, 12L), (backbone.ForwardCalls, backbone.ImagesForwarded));
        var bank = detector.Banks["hazelnut_toy"];
        Assert.Equal(["layer1+layer2+layer3"], bank.LayerNames);
        Assert.Equal(PatchMetric.Euclidean, bank.Metric);
        Assert.Equal((int)Math.Round(0.1 * 4 * 3 * 28 * 28), bank.RowCount("layer1+layer2+layer3")); // a 10 % coreset
        Assert.Equal(64 + 128 + 256, bank.Layers[0].shape[1]); // on layer2's 28×28 grid
        var cal = bank.Calibration!;
        Assert.Equal(4, cal.Samples);

        // Score = σ(z − 3) of the map maximum, one rule for every image.
        foreach (var path in Test("hazelnut_toy", "good")[..2].Concat(Test("hazelnut_toy", "colour")[..2]))
        {
            var r = detector.Predict(path, "hazelnut_toy");
            Assert.Null(r.TextProbability);
            Assert.Equal((224, 224), (r.Map.Width, r.Map.Height));
            Assert.Equal(1 / (1 + Math.Exp(-((r.MapMax - cal.Mean) / cal.Std - CnnFewShotDetector.ScoreOffset))), r.Score, 12);
        }

        // The calibration is what a reference scores against the bank without its own rows.
        using var leaveOut = CnnFewShotDetector.Create(SharedResNet18.View(), Train("hazelnut_toy")[1..4], "hazelnut_toy", new CnnFewShotOptions(BatchSize: 2));
        double mapMaxOfFirst = leaveOut.Predict(Train("hazelnut_toy")[0], "hazelnut_toy").MapMax;
        using var single = CnnFewShotDetector.Create(SharedResNet18.View(), Train("hazelnut_toy")[..1], "hazelnut_toy");
        Assert.Null(single.Banks["hazelnut_toy"].Calibration);
        var raw = single.Predict(Test("hazelnut_toy", "good")[0], "hazelnut_toy");
        Assert.Equal(raw.MapMax, raw.Score); // k = 1: nothing to calibrate on, the raw map maximum
        Assert.InRange(mapMaxOfFirst, cal.Mean - 3 * cal.Std, cal.Mean + 3 * cal.Std);
    }

    [Fact]
    public void BanksSaveLoadAndExtendWithoutChangingMaps()
    {
        var refs = Train("paper_bdp01")[..3];
        var noViews = new CnnFewShotOptions(Augmentation: ReferenceAugmentation.None, CoresetFraction: null);
        using var full = CnnFewShotDetector.Create(SharedResNet18.View(), refs, "paper_bdp01", noViews);
        var dir = Directory.CreateTempSubdirectory("cnn-bank-");
        try
        {
            var path = Path.Combine(dir.FullName, "paper.safetensors");
            full.Banks["paper_bdp01"].Save(path);
            using var loaded = CnnFewShotDetector.Create(SharedResNet18.View(), noViews);
            loaded.AddBank(MemoryBank.Load(path));
            Assert.Equal(full.Banks["paper_bdp01"].Calibration, loaded.Banks["paper_bdp01"].Calibration);
            Assert.Equal(PatchMetric.Euclidean, loaded.Banks["paper_bdp01"].Metric);
            TensorAssert.Close(full.Banks["paper_bdp01"].Layers[0], loaded.Banks["paper_bdp01"].Layers[0], 0, "rows");

            // Two references extended by the third give the bank of all three.
            using var two = CnnFewShotDetector.Create(SharedResNet18.View(), refs[..2], "paper_bdp01", noViews);
            using (var third = two.Features.Extract(two.Preprocess([two.Decoder.Decode(refs[2])])))
                two.Banks["paper_bdp01"].Extend(third, [refs[2]]);
            Assert.Equal(3, two.Banks["paper_bdp01"].Count);
            Assert.Null(two.Banks["paper_bdp01"].Calibration);
            TensorAssert.Close(full.Banks["paper_bdp01"].Layers[0], two.Banks["paper_bdp01"].Layers[0], 1e-5, "extended rows");

            var probe = Test("paper_bdp01", "impurity")[0];
            var a = full.Predict(probe, "paper_bdp01");
            var b = loaded.Predict(probe, "paper_bdp01");
            Assert.Equal(a.Map.Values, b.Map.Values);
            Assert.Equal(a.Score, b.Score);
            Assert.Equal(a.MapMax, two.Predict(probe, "paper_bdp01").MapMax, 4);

            // A bank of the other metric or other layers is refused by name.
            using var features = new PatchFeatures(["block1"], [randn(1, 4, 8)]);
            using var wrong = MemoryBank.FromFeatures("paper_bdp01", PatchMetric.Cosine, features, ["r"]);
            var e = Assert.Throws<ArgumentException>(() => loaded.AddBank(wrong));
            Assert.Contains("lacks layers layer1+layer2+layer3", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void DetectsRealDefectsOnOneCategory()
    {
        // Measured (k = 4, 224 px, seed 42, layer1-3): hazelnut_toy image AUROC 1.000, pixel AUROC 0.991. The bars leave room
        // for another pick of references, not for a broken detector (chance is 0.5).
        var dataset = MvtecDataset.Load(Golden.Samples, new DatasetLoadOptions { Classes = ["hazelnut_toy"] });
        using var detector = CnnFewShotDetector.Create(SharedResNet18.View());
        var result = new EvaluationRun(detector, dataset, new EvaluationOptions { K = 4, FewShotScore = FewShotImageScore.PerImage }).Evaluate();
        var m = result.Classes.Single().Metrics;
        Assert.True(m.ImageAuroc >= 0.9, $"image AUROC {m.ImageAuroc}");
        Assert.True(m.PixelAuroc >= 0.95, $"pixel AUROC {m.PixelAuroc}");
        Assert.True(m.AuproStandard >= 0.8, $"AUPRO@0.3 {m.AuproStandard}");
        Assert.Empty(detector.Banks);
    }

    [Fact]
    public void CoresetKeepsTheAskedFractionAndAugmentationAddsViews()
    {
        var refs = Train("paper_bdp01")[..2];
        using var all = CnnFewShotDetector.Create(SharedResNet18.View(), refs, "p", new CnnFewShotOptions(CoresetFraction: null));
        using var coreset = CnnFewShotDetector.Create(SharedResNet18.View(), refs, "p", new CnnFewShotOptions(CoresetFraction: 0.25));
        Assert.Equal(2 * 3 * 784 / 4, coreset.Banks["p"].RowCount("layer1+layer2+layer3"));
        Assert.NotNull(coreset.Banks["p"].Calibration); // calibrated against the subsampled bank
        // Fewer rows can only move patches farther from their nearest neighbour.
        var probe = Test("paper_bdp01", "good")[0];
        Assert.True(coreset.Predict(probe, "p").MapMax >= all.Predict(probe, "p").MapMax - 1e-4);

        var counting = SharedResNet18.View();
        using var augmented = CnnFewShotDetector.Create(counting, refs, "p",
            new CnnFewShotOptions(Augmentation: ReferenceAugmentation.Flips | ReferenceAugmentation.Rotations, CoresetFraction: null));
        Assert.Equal(2 * 6, counting.ImagesForwarded); // each reference and its 5 views, in one pass per reference
        Assert.Equal(2 * 6 * 784, augmented.Banks["p"].RowCount("layer1+layer2+layer3"));
        Assert.Equal(2, augmented.Banks["p"].Calibration!.Samples);
    }

    [Fact]
    public void BadInputsAreNamed()
    {
        Assert.Throws<ArgumentException>(() => CnnFewShotDetector.Create(SharedResNet18.View(), Array.Empty<string>(), "x"));
        var missing = Path.Combine(Path.GetTempPath(), "no-such-ref-" + Guid.NewGuid().ToString("N") + ".png");
        var e = Assert.Throws<ImageLoadException>(() => CnnFewShotDetector.Create(SharedResNet18.View(), [missing], "x"));
        Assert.Equal(missing, e.FilePath);
        Assert.Throws<ArgumentException>(() => CnnFewShotDetector.Create(SharedResNet18.View(), new CnnFewShotOptions(CoresetFraction: 0)));
        Assert.Throws<ArgumentException>(() => CnnFewShotDetector.Create(SharedResNet18.View(), new CnnFewShotOptions(Layers: ["layer9"])));
        using var detector = CnnFewShotDetector.Create(SharedResNet18.View(), Train("paper_bdp01")[..2], "paper_bdp01");
        var noBank = Assert.Throws<ArgumentException>(() => detector.Predict(Train("paper_bdp01")[3], "hazelnut_toy"));
        Assert.Contains("no memory bank for class 'hazelnut_toy'", noBank.Message);
        var tooMany = Assert.Throws<ArgumentException>(() => ReferenceSampling.Choose(Train("paper_bdp01"), 11, 42));
        Assert.Contains("only 10 normal image(s)", tooMany.Message);
    }
}
