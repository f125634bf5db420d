using AnomalyClip.Inference.Metrics;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>Hand-computed AUROC / AP / F1-max cases (sklearn 1.2 semantics).</summary>
public class RankingMetricsTests
{
    private const double Tol = 1e-12;

    [Fact]
    public void SklearnDocumentationExample()
    {
        // roc_auc_score = 0.75, average_precision_score = 0.8333…; PR points (2/3,1) (1/2,1/2) (1,1/2) (1,0) → F1 0.8.
        var m = RankingMetrics.Compute([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);
        Assert.Equal(0.75, m.Auroc, Tol);
        Assert.Equal(5.0 / 6.0, m.AveragePrecision, Tol);
        Assert.Equal(0.8, m.F1Max, Tol);
    }

    [Fact]
    public void TiedScoresFormOneThreshold()
    {
        // Groups high→low: 0.9 (1+,0−), 0.5 (1+,2−), 0.1 (0+,1−); P=2, N=3.
        // ROC (0,0)(0,½)(⅔,1)(1,1): area ⅔·¾ + ⅓ = ⅚. AP = ½·1 + ½·½ = ¾. F1: ⅔, ⅔, 4/7 → ⅔.
        var m = RankingMetrics.Compute([0.5, 0.5, 0.5, 0.9, 0.1], [true, false, false, true, false]);
        Assert.Equal(5.0 / 6.0, m.Auroc, Tol);
        Assert.Equal(0.75, m.AveragePrecision, Tol);
        Assert.Equal(2.0 / 3.0, m.F1Max, Tol);
    }

    [Fact]
    public void AllTiedGivesChanceAurocAndBaseRatePrecision()
    {
        var m = RankingMetrics.Compute([0.3, 0.3, 0.3, 0.3], [true, false, false, false]);
        Assert.Equal(0.5, m.Auroc, Tol);
        Assert.Equal(0.25, m.AveragePrecision, Tol);
        Assert.Equal(2 * 0.25 / 1.25, m.F1Max, Tol);
    }

    [Fact]
    public void PointsPastFullRecallChangeNothing()
    {
        // Full recall at 0.7; the 0.2 and 0.1 points lower precision only.
        var m = RankingMetrics.Compute([0.9, 0.7, 0.2, 0.1], [true, true, false, false]);
        Assert.Equal(1.0, m.Auroc, Tol);
        Assert.Equal(1.0, m.AveragePrecision, Tol);
        Assert.Equal(1.0, m.F1Max, Tol);
    }

    [Fact]
    public void NegativeZeroTiesWithZero()
    {
        var m = RankingMetrics.Compute([0.0, -0.0], [true, false]);
        Assert.Equal(0.5, m.Auroc, Tol);
    }

    [Fact]
    public void OneLabelValueGivesNaNWhereUndefined()
    {
        var allPositive = RankingMetrics.Compute([0.2, 0.8], [true, true]);
        Assert.True(double.IsNaN(allPositive.Auroc));
        Assert.Equal(1.0, allPositive.AveragePrecision, Tol);
        Assert.Equal(1.0, allPositive.F1Max, Tol);

        var allNegative = RankingMetrics.Compute([0.2, 0.8], [false, false]);
        Assert.True(double.IsNaN(allNegative.Auroc));
        Assert.True(double.IsNaN(allNegative.AveragePrecision));
        Assert.True(double.IsNaN(allNegative.F1Max));
    }

    [Fact]
    public void BadInputThrows()
    {
        Assert.Throws<ArgumentException>(() => RankingMetrics.Compute([0.1, 0.2], [true]));
        Assert.Throws<ArgumentException>(() => RankingMetrics.Compute([0.1, double.NaN], [true, false]));
        Assert.Throws<ArgumentException>(() => RankingMetrics.Compute([double.PositiveInfinity, 0.1], [true, false]));
    }
}
