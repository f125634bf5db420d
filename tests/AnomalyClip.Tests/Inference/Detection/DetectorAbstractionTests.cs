using AnomalyClip.Clip;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Tests.Support;
using Xunit;

namespace AnomalyClip.Tests.Inference.Detection;

/// <summary>
/// The detector abstraction over all three detectors (CLIP zero-shot, CLIP few-shot, ResNet-18 few-shot): one image,
/// a batch, a tensor, files and a stream give the same results, in order, at the detector's map size.
/// </summary>
public class DetectorAbstractionTests
{
    public static TheoryData<string> Detectors => new() { "zero-shot", "clip few-shot", "resnet18 few-shot" };

    private static (AnomalyDetector Detector, string Class, IDisposable? Owned) Make(string kind)
    {
        string Golden(string cls, string f) => Support.Golden.PathOf("dataset_test", cls, "train", "good", f);
        return kind switch
        {
            "zero-shot" => (TinyAprilGan.Detector, "bottle", null),
            "clip few-shot" => Owned(FewShotDetector.Create(TinyAprilGan.Detector, [Golden("bottle", "000.png"), Golden("bottle", "001.png")], "bottle"), "bottle"),
            _ => Owned(CnnFewShotDetector.Create(SharedResNet18.View(),
                Directory.GetFiles(Path.Combine(Support.Golden.Samples, "paper_bdp01", "train", "good")).Order(StringComparer.Ordinal).Take(3).ToArray(), "bottle"), "bottle"),
        };
        static (AnomalyDetector, string, IDisposable?) Owned(AnomalyDetector d, string cls) => (d, cls, d);
    }

    private static string[] Inputs() =>
    [
        Golden.PathOf("dataset_test", "bottle", "test", "good", "000.png"),
        Golden.PathOf("dataset_test", "bottle", "test", "defect", "000.png"),
        Path.Combine(Golden.Samples, "paper_bdp01", "test", "impurity", Directory.GetFiles(Path.Combine(Golden.Samples, "paper_bdp01", "test", "impurity")).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!),
    ];

    [Theory]
    [MemberData(nameof(Detectors))]
    public async Task EveryWayInGivesTheSameResults(string kind)
    {
        var (detector, cls, owned) = Make(kind);
        using var _ = owned;
        Assert.False(string.IsNullOrWhiteSpace(detector.ScoreDescription));
        Assert.False(string.IsNullOrWhiteSpace(detector.MapDescription));
        Assert.Contains(detector.Settings, kv => kv.Key == "image_size" && kv.Value == detector.MapSize.ToString());
        var paths = Inputs();
        var images = paths.Select(p => detector.Decoder.Decode(p)).ToArray();

        var one = paths.Select(p => detector.Predict(p, cls)).ToArray();
        var batch = detector.PredictBatch(images, cls, paths);
        using var input = detector.Preprocess(images);
        var tensor = detector.PredictTensor(input, paths.Select(_ => (string?)cls).ToArray(), paths, images.Select(i => (i.Width, i.Height)).ToArray());
        var files = detector.PredictFiles(paths, cls).ToArray();
        var streamed = new List<AnomalyResult>();
        await foreach (var r in detector.PredictStreamAsync(paths.ToAsyncEnumerable(), cls)) streamed.Add(r);

        Assert.Equal(Enumerable.Range(0, paths.Length), files.Select(f => f.Index));
        foreach (var results in new[] { batch, tensor, files.Select(f => f.Result).ToArray(), streamed })
            for (int i = 0; i < paths.Length; i++)
            {
                Assert.Equal(one[i].Score, results[i].Score, 5);
                Assert.Equal(one[i].MapMax, results[i].MapMax, 4);
                Assert.Equal(paths[i], results[i].Source);
                Assert.Equal((detector.MapSize, detector.MapSize), (results[i].Map.Width, results[i].Map.Height));
                Assert.Equal((images[i].Width, images[i].Height), (results[i].OriginalWidth, results[i].OriginalHeight));
            }
    }

    [Theory]
    [MemberData(nameof(Detectors))]
    public void UnreadableFilesAreSkippedOnlyWhenAsked(string kind)
    {
        var (detector, cls, owned) = Make(kind);
        using var _ = owned;
        var broken = Path.Combine(Directory.CreateTempSubdirectory("broken-").FullName, "broken.png");
        try
        {
            File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
            var paths = new[] { Inputs()[0], broken, Inputs()[1] };
            var skipped = new List<string>();
            var progress = new List<FileProgress>();
            var results = detector.PredictFiles(paths, cls, e => skipped.Add(e.FilePath!), new AnomalyClip.Cli.Infrastructure.SyncProgress<FileProgress>(progress.Add)).ToArray();
            Assert.Equal([0, 2], results.Select(r => r.Index));
            Assert.Equal([broken], skipped);
            Assert.Equal([1, 2, 3], progress.Select(p => p.Done));
            var e = Assert.Throws<ImageLoadException>(() => detector.PredictFiles(paths, cls).ToArray());
            Assert.Equal(broken, e.FilePath);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(broken)!, recursive: true);
        }
    }
}
