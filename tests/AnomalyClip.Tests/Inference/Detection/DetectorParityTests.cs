using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Maps;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.Detection;

/// <summary>Zero- and few-shot detection against APRIL-GAN's test.py on tiny-a (tolerance 1e-4 maps, 1e-5 scores).</summary>
public class DetectorParityTests
{
    private static Tensor Images => Golden.AprilGan("aprilgan/input/images");

    [Fact]
    public void ZeroShotLayerMapsMapAndScoresMatchGolden()
    {
        using var outputs = TinyAprilGan.Detector.Core.Forward(Images, TinyAprilGan.TestClasses);
        TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/layer_maps"), outputs.ZeroShotLayerMaps, 1e-4, "layer maps");
        TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/map"), outputs.ZeroShotMap, 1e-4, "map");
        TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/text_probs"), outputs.TextProbs, 1e-5, "text probs");
    }

    [Fact]
    public void TokenLogitsMatchGolden()
    {
        var taps = Golden.AprilGan("aprilgan/encode_image/tapped_tokens");
        using var _ = no_grad();
        var features = TinyAprilGan.Adapter.Projector.Project(Enumerable.Range(0, 4).Select(l => taps[l]).ToArray());
        var text = TinyAprilGan.Detector.TextFeatures.ForBatch(TinyAprilGan.TestClasses);
        var golden = Golden.AprilGan("aprilgan/zero_shot/layer_token_logits");
        for (int l = 0; l < 4; l++) TensorAssert.Close(golden[l], ZeroShotMaps.TokenLogits(features[l], text), 2e-3, $"layer {l + 1}");
    }

    [Fact]
    public void PublicPredictionGivesScoreMapAndOriginalSize()
    {
        var results = TinyAprilGan.Detector.PredictTensor(Images, TinyAprilGan.TestClasses);
        var scores = Golden.AprilGan("aprilgan/zero_shot/image_score");
        var maps = Golden.AprilGan("aprilgan/zero_shot/map");
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(scores[i].item<float>(), results[i].Score, 1e-5);
            TensorAssert.Close(maps[i], results[i].Map.ToTensor(), 1e-4, $"map {i}");
        }
        var path = Golden.PathOf("dataset_test", "screw", "test", "good", "000.png");
        var r = TinyAprilGan.Detector.Predict(path, "screw");
        Assert.Equal(scores[4].item<float>(), r.Score, 1e-5);
        TensorAssert.Close(maps[4], r.Map.ToTensor(), 1e-4, "map from file");
        var original = r.MapAtOriginalSize();
        Assert.Equal((80, 96), (original.Width, original.Height));
        Assert.Equal((r.OriginalWidth, r.OriginalHeight), (original.Width, original.Height));
    }

    private static FewShotDetector GoldenFewShot()
    {
        var refs = Golden.AprilGan("aprilgan/few_shot/reference_images");
        var names = Golden.Manifest["aprilgan"]!["test_dataset"]!["k_shot_reference_images"]!.AsArray().Select(n => (string)n!).ToArray();
        var banks = new List<MemoryBank>();
        foreach (var (cls, start) in new[] { ("bottle", 0), ("screw", 2) })
        {
            using var enc = TinyModels.AprilGan.EncodeImage(refs[start..(start + 2)], [1, 2, 3, 4], pooled: false);
            using var features = ClipPatchFeatureSource.FromEncoding(enc, [1, 2, 3, 4]);
            banks.Add(MemoryBank.FromFeatures(cls, PatchMetric.Cosine, features, names[start..(start + 2)]));
        }
        return FewShotDetector.Create(TinyAprilGan.Detector, banks);
    }

    [Fact]
    public void MemoryBanksMatchGolden()
    {
        using var fs = GoldenFewShot();
        foreach (var cls in new[] { "bottle", "screw" })
        {
            // The bank keeps the golden raw tokens as the unit rows the cosine search uses.
            var golden = Golden.AprilGan($"aprilgan/few_shot/memory/{cls}");
            Assert.Equal(["block1", "block2", "block3", "block4"], fs.Banks[cls].LayerNames);
            for (int l = 0; l < 4; l++)
            {
                using var unit = golden[l] / golden[l].norm(-1, keepdim: true);
                TensorAssert.Close(unit, fs.Banks[cls].Layers[l], 1e-5, $"{cls} layer {l + 1}");
            }
        }
    }

    [Fact]
    public void FewShotMapsAndTransductiveScoresMatchGolden()
    {
        using var fs = GoldenFewShot();
        using var outputs = fs.Forward(Images, TinyAprilGan.TestClasses);
        TensorAssert.Close(Golden.AprilGan("aprilgan/few_shot/layer_maps"), outputs.FewShotLayerMaps!, 1e-4, "few-shot layer maps");
        TensorAssert.Close(Golden.AprilGan("aprilgan/few_shot/fs_map"), outputs.FewShotMap!, 1e-4, "fs map");
        TensorAssert.Close(Golden.AprilGan("aprilgan/few_shot/map"), outputs.Map, 1e-4, "final map");

        var results = fs.PredictTensor(Images, TinyAprilGan.TestClasses);
        var golden = Golden.AprilGan("aprilgan/few_shot/image_score");
        foreach (var cls in new[] { "bottle", "screw" })
        {
            var idx = Enumerable.Range(0, 8).Where(i => TinyAprilGan.TestClasses[i] == cls).ToArray();
            var rescored = TransductiveScores.Apply(idx.Select(i => results[i]).ToArray());
            for (int j = 0; j < idx.Length; j++) Assert.Equal(golden[idx[j]].item<double>(), rescored[j].Score, 1e-5);
        }
    }

    [Fact]
    public void OptionalGaussianSmoothingMatchesScipy()
    {
        TensorAssert.Close(Golden.AprilGan("extra/gaussian_sigma4/zero_shot_map"), GaussianSmoothing.Apply(Golden.AprilGan("aprilgan/zero_shot/map"), 4), 1e-5, "zero-shot");
        TensorAssert.Close(Golden.AprilGan("extra/gaussian_sigma4/few_shot_map"), GaussianSmoothing.Apply(Golden.AprilGan("aprilgan/few_shot/map"), 4), 1e-5, "few-shot");
    }
}
