using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Inference.Thresholds;

/// <summary>
/// Chooses decision thresholds for image scores and anomaly-map pixels from calibration data.
/// </summary>
/// <remarks>
/// <para><b>Convention (library-wide):</b> a value strictly <i>above</i> the threshold is anomalous, as in
/// <see cref="AnomalyMap.Threshold"/> and <see cref="AnomalyResult.Mask"/>. Every threshold returned here is meant
/// for <c>value &gt; threshold</c>.</para>
/// <para><b>F1-optimal</b> (the maintainer's advice in APRIL-GAN issue #7: the F1-max point of the PR curve, one
/// threshold per class): the precision-recall points are the cuts "value ≥ s" at each distinct value s, tied values
/// never split (scikit-learn's <c>precision_recall_curve</c>). For the best cut s*, the returned threshold is the
/// largest calibration value strictly below s*, so that <c>value &gt; threshold</c> selects exactly the same
/// calibration samples as <c>value ≥ s*</c>; when s* is the smallest value, it is the next representable number
/// below s* (double for image scores, the double just below the float32 value for pixels). Cuts with exactly equal
/// F1 resolve to the highest one (fewest samples flagged).</para>
/// <para><b>From normals</b>: the <c>quantile</c> of scores of held-out normal samples with numpy's default
/// (<c>method="linear"</c>) interpolation: sorted values x₀ ≤ … ≤ xₙ₋₁, h = (n − 1)·q, i = ⌊h⌋, g = h − i,
/// result x_i + g·(x_{i+1} − x_i) (computed as x_{i+1} − (1 − g)·(x_{i+1} − x_i) when g ≥ 0.5, as numpy does).
/// With q = 0.99 about 1 % of normal samples lie above the threshold.</para>
/// </remarks>
public static class ThresholdCalibration
{
    /// <summary>The F1-optimal threshold of image scores.</summary>
    /// <param name="scores">Image anomaly scores (higher = more anomalous).</param>
    /// <param name="labels">Ground truth per image (true = anomalous).</param>
    /// <exception cref="ArgumentException">
    /// The spans are empty or differ in length, a score is NaN or infinite, or no label is positive (F1 is undefined).
    /// </exception>
    public static F1Threshold F1Optimal(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels", nameof(labels));
        if (scores.IsEmpty) throw new ArgumentException("no scores to calibrate on", nameof(scores));
        var sorted = new double[scores.Length];
        var sortedLabels = labels.ToArray();
        long positives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"score {i} is {scores[i]}", nameof(scores));
            sorted[i] = scores[i] == 0 ? 0 : scores[i]; // −0 and +0 are one cut
            if (labels[i]) positives++;
        }
        if (positives == 0) throw new ArgumentException("no positive (anomalous) label: F1 is undefined", nameof(labels));
        Array.Sort(sorted, sortedLabels);

        var search = new F1Search(positives);
        double threshold = double.NaN;
        for (int hi = sorted.Length - 1; hi >= 0;)
        {
            long p = 0, n = 0;
            int lo = hi;
            for (; lo >= 0 && sorted[lo] == sorted[hi]; lo--)
                if (sortedLabels[lo]) p++; else n++;
            if (search.AddGroup(p, n)) threshold = lo >= 0 ? sorted[lo] : Math.BitDecrement(sorted[hi]);
            hi = lo;
        }
        return search.Result(threshold);
    }

    /// <summary>The F1-optimal threshold of anomaly-map pixels pooled over images (e.g. one class's test set).</summary>
    /// <param name="maps">Anomaly maps (higher = more anomalous).</param>
    /// <param name="masks">Ground-truth masks, one per map and of its size, row-major; nonzero = defect pixel.</param>
    /// <remarks>Memory: 4 bytes per pixel (sortable 32-bit keys), sorted in place with a radix sort.</remarks>
    /// <exception cref="ArgumentException">
    /// The lists are empty or differ in length, a mask's size differs from its map's, a map value is NaN or infinite,
    /// or no mask pixel is positive.
    /// </exception>
    public static F1Threshold F1OptimalPixels(IReadOnlyList<AnomalyMap> maps, IReadOnlyList<byte[]> masks)
    {
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(masks);
        if (maps.Count != masks.Count) throw new ArgumentException($"{maps.Count} maps but {masks.Count} masks", nameof(masks));
        if (maps.Count == 0) throw new ArgumentException("no maps to calibrate on", nameof(maps));

        var store = new PixelKeyStore(maps.Sum(m => (long)m.Values.Length));
        var negatives = new List<uint>();
        var positives = new List<uint>();
        for (int m = 0; m < maps.Count; m++)
        {
            var values = maps[m].Values;
            var mask = masks[m];
            if (mask.Length != values.Length)
                throw new ArgumentException($"mask {m} has {mask.Length} values, map {m} has {values.Length}", nameof(masks));
            negatives.Clear();
            positives.Clear();
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i])) throw new ArgumentException($"map {m}, value {i} is {values[i]}", nameof(maps));
                (mask[i] != 0 ? positives : negatives).Add(FloatKey.From(values[i]));
            }
            store.Add(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(negatives),
                      System.Runtime.InteropServices.CollectionsMarshal.AsSpan(positives));
        }
        if (store.PositiveCount == 0) throw new ArgumentException("no positive (defect) mask pixel: F1 is undefined", nameof(masks));

        var neg = store.Negatives;
        var pos = store.Positives;
        KeyRadixSort.Sort(neg);
        KeyRadixSort.Sort(pos);
        var search = new F1Search(pos.Length);
        double threshold = double.NaN;
        int a = pos.Length - 1, b = neg.Length - 1;
        while (a >= 0 || b >= 0)
        {
            uint key = a < 0 ? neg[b] : b < 0 ? pos[a] : Math.Max(pos[a], neg[b]);
            long p = 0, n = 0;
            for (; a >= 0 && pos[a] == key; a--) p++;
            for (; b >= 0 && neg[b] == key; b--) n++;
            if (!search.AddGroup(p, n)) continue;
            uint? below = a < 0 ? (b < 0 ? null : neg[b]) : b < 0 ? pos[a] : Math.Max(pos[a], neg[b]);
            threshold = below is uint k ? FloatKey.ToFloat(k) : Math.BitDecrement((double)FloatKey.ToFloat(key));
        }
        return search.Result(threshold);
    }

    /// <summary>The <paramref name="quantile"/> of normal samples' scores (numpy's linear interpolation).</summary>
    /// <param name="scores">Scores of held-out normal samples.</param>
    /// <param name="quantile">Fraction in [0, 1]; 0.99 leaves about 1 % of the normals above the threshold.</param>
    /// <exception cref="ArgumentException">No scores, a score is NaN or infinite, or the quantile is outside [0, 1].</exception>
    public static double FromNormals(ReadOnlySpan<double> scores, double quantile = 0.99)
    {
        CheckQuantile(quantile);
        if (scores.IsEmpty) throw new ArgumentException("no normal scores to calibrate on", nameof(scores));
        var sorted = scores.ToArray();
        for (int i = 0; i < sorted.Length; i++)
            if (!double.IsFinite(sorted[i])) throw new ArgumentException($"score {i} is {sorted[i]}", nameof(scores));
        Array.Sort(sorted);
        var (i0, i1, g) = Position(sorted.Length, quantile);
        return Lerp(sorted[i0], sorted[i1], g);
    }

    /// <summary>The <paramref name="quantile"/> of all pixels of normal images' anomaly maps (numpy's linear interpolation).</summary>
    /// <param name="maps">Anomaly maps of held-out normal images.</param>
    /// <param name="quantile">Fraction in [0, 1]; 0.99 leaves about 1 % of the normal pixels above the threshold.</param>
    /// <remarks>Memory: 4 bytes per pixel (sortable 32-bit keys).</remarks>
    /// <exception cref="ArgumentException">No pixels, a value is NaN or infinite, or the quantile is outside [0, 1].</exception>
    public static double FromNormalPixels(IReadOnlyList<AnomalyMap> maps, double quantile = 0.99)
    {
        ArgumentNullException.ThrowIfNull(maps);
        CheckQuantile(quantile);
        long total = maps.Sum(m => (long)m.Values.Length);
        if (total == 0) throw new ArgumentException("no normal pixels to calibrate on", nameof(maps));
        if (total > Array.MaxLength) throw new ArgumentException($"{total} pixels exceed the {Array.MaxLength} that can be pooled", nameof(maps));
        var keys = new uint[total];
        int at = 0;
        for (int m = 0; m < maps.Count; m++)
        {
            foreach (float v in maps[m].Values)
            {
                if (!float.IsFinite(v)) throw new ArgumentException($"map {m} holds {v}", nameof(maps));
                keys[at++] = FloatKey.From(v);
            }
        }
        KeyRadixSort.Sort(keys);
        var (i0, i1, g) = Position(keys.Length, quantile);
        return Lerp(FloatKey.ToFloat(keys[i0]), FloatKey.ToFloat(keys[i1]), g);
    }

    private static void CheckQuantile(double quantile)
    {
        if (!(quantile >= 0 && quantile <= 1))
            throw new ArgumentException($"quantile must be in [0, 1], got {quantile}", nameof(quantile));
    }

    private static (int Lower, int Upper, double Weight) Position(int count, double quantile)
    {
        double h = (count - 1) * quantile;
        if (h >= count - 1) return (count - 1, count - 1, 0);
        int lower = (int)Math.Floor(h);
        return (lower, lower + 1, h - lower);
    }

    // numpy's _lerp: the form anchored at the nearer end keeps the result within [a, b].
    private static double Lerp(double a, double b, double g)
    {
        double diff = b - a;
        return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
    }
}
