using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>Hand-computed pixel metrics, both AUPROs, few-shot image scores, edge cases and bad input.</summary>
public class ClassMetricsAccumulatorTests
{
    private const double Tol = 1e-12;

    // Image A (1×10): one defect pixel scored 1.0; negatives 0.6 and 8 × 0.
    // Image B (1×10): one defect region of 3 pixels scored 1.0, 0.2, 0.2; negatives 7 × 0.
    private static readonly float[] MapA = [1f, 0.6f, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] MaskA = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly float[] MapB = [1f, 0.2f, 0.2f, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] MaskB = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

    private static ClassMetrics TwoImages(long capacity)
    {
        var acc = new ClassMetricsAccumulator("toy", pixelCapacity: capacity);
        acc.Add(MapA, MaskA, 1, 10, true, 0.9);
        acc.Add(MapB, MaskB, 1, 10, true, 0.8);
        return acc.Compute();
    }

    [Fact]
    public void PixelMetricsAndBothAuprosMatchHandComputation()
    {
        var m = TwoImages(20);
        // Groups 1.0 (2+), 0.6 (1−), 0.2 (2+), 0 (15−): ROC (0,½)(1/16,½)(1/16,1)(1,1).
        Assert.Equal(1.0 / 32 + 15.0 / 16, m.PixelAuroc, Tol);
        Assert.Equal(0.5 * 1 + 0.5 * 0.8, m.PixelAp, Tol);
        Assert.Equal(8.0 / 9.0, m.PixelF1Max, Tol);
        // Region-averaged PRO is 1 below 0.2 and (1 + 1/3)/2 from 0.2 to 1; FPR is 1/16 below 0.6, then 0. All
        // 200 thresholds are kept; the only x step (1 → 0 at 0.6) has PRO 2/3 on both sides.
        Assert.Equal(2.0 / 3.0, m.Aupro, Tol);
        // Standard: (0,0)(0,⅔)(1/16,⅔)(1/16,1)(1,1) integrated to 0.3: 1/16·⅔ + (0.3 − 1/16)·1, over 0.3.
        Assert.Equal((1.0 / 16 * 2 / 3 + (0.3 - 1.0 / 16)) / 0.3, m.AuproStandard, Tol);
        // Both images are anomalous.
        Assert.True(double.IsNaN(m.ImageAuroc));
        Assert.Equal(1.0, m.ImageAp, Tol);
        Assert.Equal(1.0, m.ImageF1Max, Tol);
    }

    [Fact]
    public void GrowingStoreAndBoolMasksGiveTheSameResult()
    {
        var exact = TwoImages(20);
        Assert.Equal(exact, TwoImages(0));
        Assert.Equal(exact, TwoImages(3));

        var acc = new ClassMetricsAccumulator("toy");
        acc.Add(MapA, MaskA.Select(b => b != 0).ToArray(), 1, 10, true, 0.9);
        acc.Add(MapB, MaskB.Select(b => b != 0).ToArray(), 1, 10, true, 0.8);
        Assert.Equal(exact, acc.Compute());
    }

    [Fact]
    public void AuproCurveHoldsTheKeptPoints()
    {
        var acc = new ClassMetricsAccumulator("toy");
        acc.Add(MapA, MaskA, 1, 10, true, 0.9);
        acc.Add(MapB, MaskB, 1, 10, true, 0.8);
        acc.Compute();
        var curve = acc.AuproCurve;
        Assert.Equal(200, curve.FprNormalized.Length);
        Assert.Equal(1.0, curve.FprNormalized[0]);
        Assert.Equal(0.0, curve.FprNormalized[^1]);
        Assert.Equal(1.0, curve.Pro[0], Tol);
        Assert.Equal(2.0 / 3.0, curve.Pro[^1], Tol);
    }

    [Fact]
    public void FewShotScoresBlendMinMaxNormalisedMapMaxima()
    {
        var acc = new ClassMetricsAccumulator("toy");
        byte[] none = new byte[4], one = [0, 1, 0, 0];
        acc.Add([0, 1, 0, 0], none, 2, 2, false, 0.1);
        acc.Add([0, 0, 3, 0], one, 2, 2, true, 0.2);
        acc.Add([2, 0, 0, 0], none, 2, 2, false, 0.3);
        var scores = TransductiveScores.Compute([0.1, 0.2, 0.3], [1, 3, 2]);
        var m = acc.Compute(scores);
        Assert.Equal([0.05, 0.6, 0.4], acc.ImageScoresUsed.Select(s => Math.Round(s, 12)));
        Assert.Equal(1.0, m.ImageAuroc, Tol);
        Assert.Equal([0.0, 1.0, 0.5], TransductiveScores.Compute([null, null, null], [1, 3, 2])); // no text tower: m̃ alone

        var flat = new ClassMetricsAccumulator("flat");
        flat.Add([1, 0, 0, 0], none, 2, 2, false, 0.1);
        flat.Add([0, 1, 0, 0], one, 2, 2, true, 0.2);
        Assert.True(double.IsNaN(flat.Compute(TransductiveScores.Compute([0.1, 0.2], [1, 1])).ImageAuroc)); // all maxima equal: 0/0 as in numpy
        var one1 = new ClassMetricsAccumulator("one");
        one1.Add([1, 0, 0, 0], none, 2, 2, false, 0.1);
        Assert.Throws<ArgumentException>(() => one1.Compute([1.0, 2.0])); // one replacement score per image
    }

    [Fact]
    public void UndefinedMetricsAreNaN()
    {
        var normalOnly = new ClassMetricsAccumulator("normal");
        normalOnly.Add([0.1f, 0.5f, 0.2f, 0.3f], new byte[4], 2, 2, false, 0.4);
        normalOnly.Add([0.7f, 0.5f, 0.2f, 0.3f], new byte[4], 2, 2, true, 0.6);
        var m = normalOnly.Compute();
        Assert.True(double.IsNaN(m.PixelAuroc));
        Assert.True(double.IsNaN(m.PixelAp));
        Assert.True(double.IsNaN(m.PixelF1Max));
        Assert.True(double.IsNaN(m.Aupro));
        Assert.True(double.IsNaN(m.AuproStandard));
        Assert.Equal(1.0, m.ImageAuroc, Tol);

        var constant = new ClassMetricsAccumulator("constant");
        constant.Add([0.5f, 0.5f, 0.5f, 0.5f], [1, 0, 0, 0], 2, 2, true, 0.4);
        var c = constant.Compute();
        Assert.Equal(0.5, c.PixelAuroc, Tol);
        Assert.True(double.IsNaN(c.Aupro)); // numpy's arange with step 0 raises
        Assert.Equal(0.5 * 0.3 * 0.3 / 0.3, c.AuproStandard, Tol); // the chord from (0,0) to (1,1)
    }

    [Fact]
    public void BadInputThrows()
    {
        var acc = new ClassMetricsAccumulator("bad");
        Assert.Throws<ArgumentException>(() => acc.Add(new float[5], new byte[6], 2, 3, false, 0));
        Assert.Throws<ArgumentException>(() => acc.Add(new float[6], new byte[5], 2, 3, false, 0));
        Assert.Throws<ArgumentException>(() => acc.Add([0, float.NaN, 0, 0], new byte[4], 2, 2, false, 0));
        Assert.Throws<ArgumentException>(() => acc.Add([0, float.PositiveInfinity, 0, 0], new byte[4], 2, 2, false, 0));
        Assert.Throws<ArgumentException>(() => acc.Add(new float[4], new byte[4], 2, 2, false, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.Add([], Array.Empty<byte>(), 0, 0, false, 0));
        Assert.Equal(0, acc.ImageCount);
        Assert.Throws<InvalidOperationException>(() => acc.Compute());

        acc.Add(new float[4], new byte[4], 2, 2, false, 0);
        var first = acc.Compute();
        Assert.Same(first, acc.Compute());
        Assert.Throws<InvalidOperationException>(() => acc.Add(new float[4], new byte[4], 2, 2, false, 0));
        Assert.Throws<ArgumentException>(() => new ClassMetricsAccumulator(""));
    }
}
