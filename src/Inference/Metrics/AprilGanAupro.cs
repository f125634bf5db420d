namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// APRIL-GAN's AUPRO (<c>cal_pro_score</c> in their <c>test.py</c>, max_step 200, expect_fpr 0.3), which is not
/// the standard one: ~200 linear thresholds; PRO averaged over all GT regions of all images; only points with
/// FPR &lt; 0.3 kept; those FPRs min-max normalised to [0, 1]; trapezoid area of PRO over them. This is what the
/// paper's PRO column reports.
/// </summary>
internal static class AprilGanAupro
{
    private const int MaxStep = 200;
    private const double ExpectFpr = 0.3;

    /// <summary>
    /// The thresholds of <c>np.arange(min, max, (max − min)/200)</c> on float32 operands: delta = (max − min)/200,
    /// count = ceil((max − min)/delta) (200 or 201), th_i = min + i·delta, each operation rounded to float32.
    /// Empty when max = min (numpy raises there).
    /// </summary>
    /// <remarks>
    /// A literal port of numpy's C fill loop, which steps by the rounded (th₁ − min) instead of delta, drifts below
    /// the 0.25 grid of the golden class "grid" and loses a kept threshold; the goldens pin min + i·delta (a
    /// float64 evaluation rounded once to float32 also matches them).
    /// </remarks>
    public static float[] Thresholds(float min, float max)
    {
        float range = max - min;
        float delta = range / MaxStep;
        if (!(delta > 0)) return [];
        int count = (int)Math.Ceiling((double)(range / delta));
        var th = new float[count];
        th[0] = min;
        for (int i = 1; i < count; i++) th[i] = min + (float)i * delta;
        return th;
    }

    /// <summary>The AUPRO and the two arrays their code passes to <c>sklearn.metrics.auc</c>.</summary>
    /// <param name="Value">Area, a fraction in [0, 1]; NaN when undefined (no region, no negative, or fewer than two kept points).</param>
    /// <param name="FprNormalized">Kept FPRs (&lt; 0.3), min-max normalised, in threshold order (decreasing).</param>
    /// <param name="Pro">Region-averaged PRO at the same thresholds.</param>
    public readonly record struct Result(double Value, double[] FprNormalized, double[] Pro);

    /// <summary>Computes the curve and its area.</summary>
    /// <param name="thresholds">From <see cref="Thresholds"/>.</param>
    /// <param name="positiveKeys"><see cref="FloatKey"/>s of all GT-positive pixels, grouped by region in the order of <paramref name="regionAreas"/>.</param>
    /// <param name="regionAreas">Pixel count of each region.</param>
    /// <param name="sortedNegativeKeys">Keys of all GT-negative pixels, ascending.</param>
    public static Result Compute(float[] thresholds, ReadOnlySpan<uint> positiveKeys, IReadOnlyList<int> regionAreas,
                                 ReadOnlySpan<uint> sortedNegativeKeys)
    {
        int t = thresholds.Length;
        if (t == 0 || regionAreas.Count == 0 || sortedNegativeKeys.IsEmpty) return new Result(double.NaN, [], []);
        var thKeys = new uint[t];
        for (int i = 0; i < t; i++) thKeys[i] = FloatKey.From(thresholds[i]);

        // bin(v) = #{j : th_j < v}; a pixel is predicted anomalous (v > th_i) exactly for i < bin(v).
        var proSum = new double[t];
        var hist = new long[t + 1];
        int at = 0;
        foreach (int area in regionAreas)
        {
            Array.Clear(hist);
            foreach (uint key in positiveKeys.Slice(at, area)) hist[LowerBound(thKeys, key)]++;
            at += area;
            long tp = 0;
            for (int i = t - 1; i >= 0; i--)
            {
                tp += hist[i + 1];
                proSum[i] += (double)tp / area;
            }
        }

        double negatives = sortedNegativeKeys.Length;
        var keptFpr = new List<double>(t);
        var keptPro = new List<double>(t);
        for (int i = 0; i < t; i++)
        {
            long fp = sortedNegativeKeys.Length - UpperBound(sortedNegativeKeys, thKeys[i]);
            double fpr = fp / negatives;
            if (fpr < ExpectFpr)
            {
                keptFpr.Add(fpr);
                keptPro.Add(proSum[i] / regionAreas.Count);
            }
        }

        var x = keptFpr.ToArray();
        var y = keptPro.ToArray();
        if (x.Length == 0) return new Result(double.NaN, x, y);
        double lo = x.Min(), hi = x.Max();
        for (int i = 0; i < x.Length; i++) x[i] = (x[i] - lo) / (hi - lo);
        return new Result(SklearnAuc(x, y), x, y);
    }

    // sklearn.metrics.auc: trapezoids (numpy's trapz term order), negated when x decreases; NaN where sklearn raises.
    private static double SklearnAuc(double[] x, double[] y)
    {
        if (x.Length < 2) return double.NaN;
        bool anyDown = false, anyUp = false;
        double area = 0;
        for (int i = 1; i < x.Length; i++)
        {
            double dx = x[i] - x[i - 1];
            anyDown |= dx < 0;
            anyUp |= !(dx <= 0);
            area += dx * (y[i] + y[i - 1]) / 2.0;
        }
        if (anyDown && anyUp) return double.NaN;
        return anyDown ? -area : area;
    }

    private static int LowerBound(uint[] sorted, uint key)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int UpperBound(ReadOnlySpan<uint> sorted, uint key)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= key) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
