using AnomalyClip.Inference.Metrics;
using AnomalyClip.Reports.Curves;
using Xunit;

namespace AnomalyClip.Tests.Reports;

/// <summary>Hand-computed ROC and precision-recall points (scikit-learn's roc_curve / precision_recall_curve).</summary>
public class CurveTests
{
    private const double Tol = 1e-12;

    private static void Close(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], Tol);
    }

    [Fact]
    public void RocOfSklearnDocumentationExample()
    {
        // roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]): fpr [0, 0, .5, .5, 1], tpr [0, .5, .5, 1, 1], thresholds [inf, .8, .4, .35, .1].
        var roc = RocCurve.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);
        Assert.Equal([0, 0, 0.5, 0.5, 1], roc.Fpr);
        Assert.Equal([0, 0.5, 0.5, 1, 1], roc.Tpr);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], roc.Thresholds);
    }

    [Fact]
    public void RocGroupsTiedScoresIntoOnePoint()
    {
        // High → low: 0.9 (1+, 0−), 0.5 (1+, 2−), 0.2 (0+, 1−); P = 2, N = 3. The tie at 0.5 is one diagonal step.
        var roc = RocCurve.Compute([0.5, 0.2, 0.5, 0.9, 0.5], [true, false, false, true, false]);
        Assert.Equal([double.PositiveInfinity, 0.9, 0.5, 0.2], roc.Thresholds);
        Close(new[] { 0, 0, 2 / 3.0, 1 }, roc.Fpr);
        Close(new[] { 0, 0.5, 1, 1 }, roc.Tpr);
    }

    [Fact]
    public void RocDropsCollinearPointsLikeSklearnByDefault()
    {
        // fps [0, 0, 1, 2], tps [1, 2, 2, 2]: the point at threshold 2 lies on the horizontal run tpr = 1 and is dropped.
        double[] scores = [4, 3, 2, 1];
        bool[] labels = [true, true, false, false];
        var dropped = RocCurve.Compute(scores, labels);
        Assert.Equal([double.PositiveInfinity, 4, 3, 1], dropped.Thresholds);
        Assert.Equal([0, 0, 0, 1], dropped.Fpr);
        Assert.Equal([0, 0.5, 1, 1], dropped.Tpr);

        var all = RocCurve.Compute(scores, labels, dropIntermediate: false);
        Assert.Equal([double.PositiveInfinity, 4, 3, 2, 1], all.Thresholds);
        Assert.Equal([0, 0, 0, 0.5, 1], all.Fpr);
    }

    [Fact]
    public void NegativeAndPositiveZeroAreOneThreshold()
    {
        var roc = RocCurve.Compute([-0.0, 0.0, 1], [true, false, true], dropIntermediate: false);
        Assert.Equal(3, roc.Thresholds.Length);
    }

    [Fact]
    public void PrecisionRecallOfSklearnDocumentationExample()
    {
        // precision_recall_curve: precision [.5, 2/3, .5, 1, 1], recall [1, 1, .5, .5, 0], thresholds [.1, .35, .4, .8];
        // here from the (recall 0, precision 1) end point down to the lowest score.
        var pr = PrecisionRecallCurve.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);
        Close(new[] { 0, 0.5, 0.5, 1, 1 }, pr.Recall);
        Close(new[] { 1, 1, 0.5, 2 / 3.0, 0.5 }, pr.Precision);
        Assert.Equal([double.PositiveInfinity, 0.8, 0.4, 0.35, 0.1], pr.Thresholds);
        Assert.Equal(5.0 / 6.0, pr.AveragePrecision(), Tol);
        // F1 at (R 1, P 2/3) = 0.8, the maximum.
        Assert.Equal(3, pr.F1MaxIndex());
    }

    [Fact]
    public void PrecisionRecallAgreesWithTheMetricsOnRandomTies()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = rng.Next(2, 40);
            var scores = Enumerable.Range(0, n).Select(_ => rng.Next(0, 8) / 4.0).ToArray();
            var labels = Enumerable.Range(0, n).Select(i => i == 0 || rng.Next(2) == 0).ToArray();
            labels[1] = false;
            var m = RankingMetrics.Compute(scores, labels);
            var pr = PrecisionRecallCurve.Compute(scores, labels);
            Assert.Equal(m.AveragePrecision, pr.AveragePrecision(), 1e-12);
            int best = pr.F1MaxIndex();
            double f1 = 2 * pr.Precision[best] * pr.Recall[best] / (pr.Precision[best] + pr.Recall[best]);
            Assert.Equal(m.F1Max, f1, 1e-12);

            var roc = RocCurve.Compute(scores, labels);
            double area = 0;
            for (int i = 1; i < roc.Fpr.Length; i++) area += (roc.Fpr[i] - roc.Fpr[i - 1]) * (roc.Tpr[i] + roc.Tpr[i - 1]) / 2;
            Assert.Equal(m.Auroc, area, 1e-12);
        }
    }

    [Fact]
    public void UndefinedCurvesThrow()
    {
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1, 0.2], [false, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1, 0.2], [true, true]));
        Assert.Throws<ArgumentException>(() => PrecisionRecallCurve.Compute([0.1, 0.2], [false, false]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1, double.NaN], [false, true]));
        Assert.Throws<ArgumentException>(() => RocCurve.Compute([0.1], [false, true]));
    }
}
