using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Inference.Thresholds;
using Xunit;

namespace AnomalyClip.Tests.Inference.Thresholds;

public class ThresholdCalibrationTests
{
    [Fact]
    public void F1_optimal_on_a_hand_case()
    {
        // Cuts ≥0.9: F1 2/3; ≥0.8: 1/2; ≥0.7: 4/5 (best); ≥0.6: 2/3; ≥0.5: 4/7.
        var best = ThresholdCalibration.F1Optimal([0.9, 0.8, 0.7, 0.6, 0.5], [true, false, true, false, false]);
        Assert.Equal(0.6, best.Threshold); // largest score below the cut, for "score > threshold"
        Assert.Equal(0.8, best.F1, 15);
        Assert.Equal(2.0 / 3, best.Precision, 15);
        Assert.Equal(1.0, best.Recall);
    }

    [Fact]
    public void Tied_scores_are_never_split()
    {
        // Splitting the 0.5 tie (positive first) would reach F1 = 1; as one group the best cut is ≥0.5 with F1 4/5.
        var best = ThresholdCalibration.F1Optimal([0.8, 0.5, 0.5, 0.2], [true, true, false, false]);
        Assert.Equal(0.2, best.Threshold);
        Assert.Equal(0.8, best.F1, 15);
    }

    [Fact]
    public void Equal_F1_keeps_the_highest_cut()
    {
        // ≥0.9 and ≥0.6 both give F1 = 2/3 exactly.
        var best = ThresholdCalibration.F1Optimal([0.9, 0.8, 0.7, 0.6], [true, false, false, true]);
        Assert.Equal(0.8, best.Threshold);
        Assert.Equal(2.0 / 3, best.F1, 15);
        Assert.Equal(1.0, best.Precision);
        Assert.Equal(0.5, best.Recall);
    }

    [Fact]
    public void All_equal_scores_flag_everything_just_below_the_value()
    {
        var best = ThresholdCalibration.F1Optimal([0.5, 0.5, 0.5], [true, false, true]);
        Assert.Equal(Math.BitDecrement(0.5), best.Threshold);
        Assert.True(0.5 > best.Threshold);
        Assert.Equal(0.8, best.F1, 15);
    }

    [Fact]
    public void Undefined_or_bad_input_throws()
    {
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1Optimal([0.1, 0.2], [false, false]));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1Optimal([0.1, 0.2], [true]));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1Optimal([], []));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1Optimal([0.1, double.NaN], [true, false]));
    }

    [Fact]
    public void F1_optimal_reaches_sklearn_F1_max_and_the_threshold_reproduces_it()
    {
        var rng = new Random(7);
        var scores = Enumerable.Range(0, 500).Select(_ => Math.Round(rng.NextDouble(), 2)).ToArray(); // many ties
        var labels = scores.Select(s => rng.NextDouble() < s * 0.8).ToArray();
        var best = ThresholdCalibration.F1Optimal(scores, labels);
        Assert.Equal(RankingMetrics.Compute(scores, labels).F1Max, best.F1, 12);
        Assert.Equal(best.F1, F1Of(scores.Select(s => s > best.Threshold).ToArray(), labels), 12);
    }

    [Fact]
    public void Pixel_F1_optimal_matches_the_flattened_image_version_and_map_thresholding()
    {
        var rng = new Random(11);
        var maps = new List<AnomalyMap>();
        var masks = new List<byte[]>();
        for (int m = 0; m < 4; m++)
        {
            var v = Enumerable.Range(0, 12 * 10).Select(_ => MathF.Round((float)rng.NextDouble(), 2)).ToArray();
            maps.Add(new AnomalyMap(12, 10, v));
            masks.Add(v.Select(x => rng.NextDouble() < x * x ? (byte)1 : (byte)0).ToArray());
        }
        var pixel = ThresholdCalibration.F1OptimalPixels(maps, masks);

        var flatScores = maps.SelectMany(m => m.Values.Select(x => (double)x)).ToArray();
        var flatLabels = masks.SelectMany(m => m.Select(b => b != 0)).ToArray();
        var image = ThresholdCalibration.F1Optimal(flatScores, flatLabels);
        Assert.Equal(image, pixel);

        // AnomalyMap.Threshold (strictly above) with the returned value gives back exactly that F1.
        var predicted = maps.SelectMany(m => m.Threshold(pixel.Threshold).Select(b => b != 0)).ToArray();
        Assert.Equal(pixel.F1, F1Of(predicted, flatLabels), 12);
    }

    [Fact]
    public void Pixel_F1_optimal_hand_case()
    {
        // Pixels (value, label): 0.9+, 0.4+, 0.4−, 0.1−, 0.8+, 0.3−, 0.2−, 0.1−. Best cut ≥0.4: TP 3, FP 1 → F1 6/7.
        var maps = new[] { new AnomalyMap(2, 2, [0.1f, 0.9f, 0.4f, 0.4f]), new AnomalyMap(2, 2, [0.2f, 0.8f, 0.3f, 0.1f]) };
        byte[][] masks = [[0, 1, 1, 0], [0, 1, 0, 0]];
        var best = ThresholdCalibration.F1OptimalPixels(maps, masks);
        Assert.Equal((double)0.3f, best.Threshold);
        Assert.Equal(6.0 / 7, best.F1, 15);
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1OptimalPixels(maps, [[0, 0, 0, 0], [0, 0, 0, 0]]));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.F1OptimalPixels(maps, [[0, 1, 1], [0, 1, 0, 0]]));
    }

    [Theory]
    // Expected values: numpy 1.24.2, np.quantile(np.array(values, dtype=np.float64), q).
    [InlineData(new[] { 1.0, 2, 3, 4 }, 0.99, 3.9699999999999998)]
    [InlineData(new[] { 3.0, 1, 2 }, 0.5, 2.0)]
    [InlineData(new[] { 1.0, 2, 3, 4, 10 }, 0.9, 7.6000000000000005)]
    [InlineData(new[] { 5.0 }, 0.3, 5.0)]
    [InlineData(new[] { 0.1, 0.2, 0.3 }, 0.0, 0.1)]
    [InlineData(new[] { 0.1, 0.2, 0.3 }, 1.0, 0.3)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.99, 9.91)]
    [InlineData(new[] { 0.1, 0.7, 0.2, 0.4 }, 0.75, 0.475)]
    public void Quantile_matches_numpy_linear(double[] values, double q, double expected) =>
        Assert.Equal(expected, ThresholdCalibration.FromNormals(values, q));

    [Fact]
    public void Pixel_quantile_pools_all_map_values()
    {
        var maps = new[] { new AnomalyMap(2, 1, [0.1f, 0.7f]), new AnomalyMap(1, 2, [0.4f, 0.2f]) };
        // Sorted 0.1, 0.2, 0.4, 0.7; h = 3·0.75 = 2.25 → 0.4 + 0.25·(0.7 − 0.4), from the float32 values.
        double expected = 0.4f + ((double)0.7f - 0.4f) * 0.25;
        Assert.Equal(expected, ThresholdCalibration.FromNormalPixels(maps, 0.75));
        Assert.Equal(0.475, expected, 6);
        Assert.Equal((double)0.7f, ThresholdCalibration.FromNormalPixels(maps, 1.0));
    }

    [Fact]
    public void Quantile_rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromNormals([1.0], 1.5));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromNormals([1.0], double.NaN));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromNormals([], 0.5));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromNormals([1.0, double.PositiveInfinity], 0.5));
        Assert.Throws<ArgumentException>(() => ThresholdCalibration.FromNormalPixels(Array.Empty<AnomalyMap>(), 0.5));
    }

    private static double F1Of(bool[] predicted, bool[] labels)
    {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (predicted[i] && labels[i]) tp++;
            else if (predicted[i]) fp++;
            else if (labels[i]) fn++;
        }
        return 2.0 * tp / (2 * tp + fp + fn);
    }
}
