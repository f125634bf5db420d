using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.Detection;

/// <summary>Few-shot features beyond the reference code: per-image scores, bank persistence and growth, streaming.</summary>
public class FewShotBehaviourTests
{
    private static string[] TrainImages(string cls) =>
        Enumerable.Range(0, 3).Select(i => Golden.PathOf("dataset_test", cls, "train", "good", $"00{i}.png")).ToArray();

    private static string[] TestImages(string cls) =>
        Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray().Select(n => (string)n!)
            .Where(p => p.StartsWith(cls + "/")).Select(p => Golden.PathOf("dataset_test", p)).ToArray();

    [Fact]
    public void PerImageScoreIsCalibratedOnTheReferencesLeaveOneOut()
    {
        using var fs = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("bottle"), "bottle");
        var cal = fs.Banks["bottle"].Calibration!;
        Assert.Equal(3, cal.Samples);
        Assert.True(cal.Std >= FewShotCalibration.MinStd);
        foreach (var path in TestImages("bottle"))
        {
            var r = fs.Predict(path, "bottle");
            double expected = 0.5 * (r.TextProbability!.Value + 1 / (1 + Math.Exp(-(r.MapMax - cal.Mean) / cal.Std)));
            Assert.Equal(expected, r.Score, 12);
            Assert.InRange(r.Score, 0, 1);
        }
        using var single = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("bottle")[..1], "bottle");
        Assert.Null(single.Banks["bottle"].Calibration);
        var one = single.Predict(TestImages("bottle")[0], "bottle");
        Assert.Equal(one.TextProbability, one.Score);
    }

    [Fact]
    public void BanksSaveLoadAndExtendWithoutChangingMaps()
    {
        using var fs = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("screw"), "screw");
        var path = Path.Combine(Directory.CreateTempSubdirectory("bank-").FullName, "screw.safetensors");
        fs.Banks["screw"].Save(path);
        using var loaded = MemoryBank.Load(path);
        Assert.Equal(fs.Banks["screw"].References, loaded.References);
        Assert.Equal(fs.Banks["screw"].Calibration, loaded.Calibration);
        for (int l = 0; l < 4; l++) TensorAssert.Close(fs.Banks["screw"].Layers[l], loaded.Layers[l], 0, $"layer {l}");

        // A bank of 2 references extended by the 3rd equals the bank built from all 3.
        using var two = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("screw")[..2], "screw", calibrate: false);
        using (var enc = TinyModels.AprilGan.EncodeImage(new AnomalyClip.Clip.Preprocessing.ClipPreprocessor(
                   AnomalyClip.Clip.Preprocessing.ClipTransformOptions.AprilGan(48)).ToBatch([TinyAprilGan.Detector.Decoder.Decode(TrainImages("screw")[2])], CPU), [1, 2, 3, 4], pooled: false))
        using (var features = ClipPatchFeatureSource.FromEncoding(enc, [1, 2, 3, 4]))
            two.Banks["screw"].Extend(features, [TrainImages("screw")[2]]);
        Assert.Equal(3, two.Banks["screw"].Count);
        for (int l = 0; l < 4; l++) TensorAssert.Close(fs.Banks["screw"].Layers[l], two.Banks["screw"].Layers[l], 1e-6, $"extended layer {l}");
        var a = fs.Predict(TestImages("screw")[2], "screw");
        var b = two.Predict(TestImages("screw")[2], "screw");
        Assert.Equal(a.MapMax, b.MapMax, 5);
    }

    [Fact]
    public void DistancesAreIndependentOfTheChunkSize()
    {
        using var fs = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("bottle"), "bottle", calibrate: false);
        using var enc = TinyModels.AprilGan.EncodeImage(Golden.AprilGan("aprilgan/input/images")[..2], [1, 2, 3, 4], pooled: false);
        var bank = fs.Banks["bottle"];
        using var features = ClipPatchFeatureSource.FromEncoding(enc, [1, 2, 3, 4]);
        using var whole = bank.Distance("block1", features["block1"]);
        using var chunked = bank.Distance("block1", features["block1"], chunkRows: 7);
        TensorAssert.Close(whole, chunked, 1e-6, "chunked");
        using var loo = bank.Distance("block1", features["block1"], exclude: 1, chunkRows: 5);
        Assert.True((loo - whole).min().item<float>() >= -1e-6f, "leaving a reference out can only increase distances");
    }

    [Fact]
    public async Task StreamingGivesTheBatchResultsAndMissingReferencesFail()
    {
        var paths = TestImages("bottle");
        var batch = TinyAprilGan.Detector.PredictBatch(paths.Select(p => TinyAprilGan.Detector.Decoder.Decode(p)).ToArray(), "bottle");
        var streamed = new List<AnomalyResult>();
        await foreach (var r in TinyAprilGan.Detector.PredictStreamAsync(paths.ToAsyncEnumerable(), "bottle")) streamed.Add(r);
        Assert.Equal(batch.Select(r => r.Score), streamed.Select(r => r.Score));
        Assert.Throws<ArgumentException>(() => FewShotDetector.Create(TinyAprilGan.Detector, Array.Empty<string>(), "bottle"));
        Assert.Throws<AnomalyClip.Clip.ImageLoadException>(() => FewShotDetector.Create(TinyAprilGan.Detector, ["/nonexistent/ref.png"], "bottle"));
        using var fs = FewShotDetector.Create(TinyAprilGan.Detector, TrainImages("bottle")[..2], "bottle");
        Assert.Throws<ArgumentException>(() => fs.Predict(paths[0], "screw"));
    }
}
