using System.Text.Json.Nodes;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Tests.Support;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>Parity with APRIL-GAN's metric code run on fixed random data (golden/README.md §9), tolerance 1e-9.</summary>
public class GoldenMetricsTests
{
    private const double Tol = 1e-9;
    private static readonly string[] Keys = ["auroc_px", "f1_px", "ap_px", "aupro", "auroc_sp", "f1_sp", "ap_sp"];

    private static JsonObject MetricsJson => (JsonObject)Golden.Manifest["aprilgan"]!["metrics"]!;

    // Few-shot mode rescales the given scores with each image's map maximum over its class (TransductiveScores).
    private static Dictionary<string, (ClassMetricsAccumulator Accumulator, double[]? Scores)> Accumulate(bool transductive)
    {
        var maps = Golden.AprilGan("metrics/input/maps");
        var masks = Golden.AprilGan("metrics/input/masks");
        var labels = Golden.AprilGan("metrics/input/image_labels").data<long>().ToArray();
        var scores = Golden.AprilGan("metrics/input/image_scores").data<double>().ToArray();
        var rows = MetricsJson["classes_of_each_row"]!.AsArray().Select(n => (string)n!).ToArray();
        int h = (int)maps.shape[1], w = (int)maps.shape[2];
        var mapData = maps.data<float>().ToArray();
        var maskData = masks.data<byte>().ToArray();

        var result = new Dictionary<string, (ClassMetricsAccumulator, double[]?)>();
        foreach (var cls in rows.Distinct())
        {
            var acc = new ClassMetricsAccumulator(cls, pixelCapacity: 8L * h * w);
            var idx = Enumerable.Range(0, rows.Length).Where(i => rows[i] == cls).ToArray();
            foreach (var i in idx) acc.Add(mapData.AsSpan(i * h * w, h * w), maskData.AsSpan(i * h * w, h * w), h, w, labels[i] != 0, scores[i]);
            var maxima = idx.Select(i => (double)mapData.AsSpan(i * h * w, h * w).ToArray().Max()).ToArray();
            result[cls] = (acc, transductive ? TransductiveScores.Compute(idx.Select(i => (double?)scores[i]).ToArray(), maxima) : null);
        }
        return result;
    }

    private static double[] Values(ClassMetrics c) =>
        [c.PixelAuroc, c.PixelF1Max, c.PixelAp, c.Aupro, c.ImageAuroc, c.ImageF1Max, c.ImageAp];

    [Theory]
    [InlineData("zero_shot", false)]
    [InlineData("few_shot", true)]
    public void PerClassMeanAndCurvesMatchGolden(string modeName, bool transductive)
    {
        var expected = (JsonObject)MetricsJson[modeName]!;
        var accumulators = Accumulate(transductive);
        var objList = MetricsJson["obj_list"]!.AsArray().Select(n => (string)n!).ToArray();
        Assert.Equal(objList, accumulators.Keys.ToArray());

        var results = new List<ClassMetrics>();
        foreach (var cls in objList)
        {
            var (acc, scores) = accumulators[cls];
            var actual = acc.Compute(scores);
            results.Add(actual);
            var exp = expected["per_class"]![cls]!;
            var values = Values(actual);
            for (int k = 0; k < Keys.Length; k++)
                Assert.True(Math.Abs(values[k] - (double)exp[Keys[k]]!) <= Tol,
                    $"{modeName}/{cls}/{Keys[k]}: {values[k]:R} vs {(double)exp[Keys[k]]!:R}");

            var usedScores = Golden.AprilGan($"metrics/{modeName}/image_scores_used/{cls}").data<double>().ToArray();
            AssertClose(usedScores, acc.ImageScoresUsed, $"{modeName}/{cls}/image_scores_used");
            var fpr = Golden.AprilGan($"metrics/{modeName}/aupro_curve/{cls}/fpr_normalized").data<double>().ToArray();
            var pro = Golden.AprilGan($"metrics/{modeName}/aupro_curve/{cls}/pro").data<double>().ToArray();
            AssertClose(fpr, acc.AuproCurve.FprNormalized, $"{modeName}/{cls}/fpr_normalized");
            AssertClose(pro, acc.AuproCurve.Pro, $"{modeName}/{cls}/pro");
            Assert.InRange(actual.AuproStandard, 0.0, 1.0);
        }

        var suite = new MetricSuite(results);
        var meanValues = Values(suite.Mean);
        for (int k = 0; k < Keys.Length; k++)
            Assert.True(Math.Abs(meanValues[k] - (double)expected["mean"]![Keys[k]]!) <= Tol, $"{modeName}/mean/{Keys[k]}");

        // Their table cells are str(np.round(x * 100, 1)); ours must print the same numbers.
        var table = expected["table"]!.AsArray().Select(r => r!.AsArray().Select(c => (string)c!).ToArray()).ToArray();
        var ours = results.Append(suite.Mean).Select(c => new[] { c.ClassName }.Concat(Values(c).Select(MetricSuite.Percent)).ToArray()).ToArray();
        Assert.Equal(table, ours);
    }

    [Fact]
    public void GoldenThresholdCountIsWhatNumpyArangeGives()
    {
        var maps = Golden.AprilGan("metrics/input/maps").data<float>().ToArray();
        // Class "grid" (rows 8..15) is quantised to 0.25 steps: min/max are exact multiples, so the count is 200.
        var grid = maps.AsSpan(8 * 64 * 64, 8 * 64 * 64).ToArray();
        var th = AprilGanAupro.Thresholds(grid.Min(), grid.Max());
        Assert.Equal(200, th.Length);
        Assert.Equal(grid.Min(), th[0]);
        Assert.True(th[^1] < grid.Max());
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length} vs {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tol, $"{what}[{i}]: {actual[i]:R} vs {expected[i]:R}");
    }
}
