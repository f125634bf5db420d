namespace AnomalyClip.Reports.Curves;

/// <summary>
/// Cumulative true and false positives at every distinct score, from the highest down (scikit-learn's
/// <c>_binary_clf_curve</c>): tied scores form one threshold and are never split.
/// </summary>
/// <param name="Thresholds">The distinct scores, decreasing.</param>
/// <param name="TruePositives">Positives scoring at or above each threshold.</param>
/// <param name="FalsePositives">Negatives scoring at or above each threshold.</param>
internal sealed record TiedScoreCounts(double[] Thresholds, long[] TruePositives, long[] FalsePositives)
{
    /// <summary>All positives.</summary>
    public long Positives => TruePositives.Length == 0 ? 0 : TruePositives[^1];

    /// <summary>All negatives.</summary>
    public long Negatives => FalsePositives.Length == 0 ? 0 : FalsePositives[^1];

    /// <summary>Counts <paramref name="scores"/> (higher = more anomalous) against <paramref name="labels"/> (true = anomalous).</summary>
    /// <exception cref="ArgumentException">The lists differ in length or a score is NaN or infinite.</exception>
    public static TiedScoreCounts Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels", nameof(labels));
        var order = new int[scores.Count];
        for (int i = 0; i < order.Length; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"score {i} is {scores[i]}", nameof(scores));
            order[i] = i;
        }
        // Highest first; -0 and +0 compare equal, so they share a threshold.
        Array.Sort(order, (a, b) =>
        {
            int byScore = scores[b].CompareTo(scores[a]);
            return byScore != 0 ? byScore : a.CompareTo(b);
        });

        var thresholds = new List<double>();
        var tps = new List<long>();
        var fps = new List<long>();
        long tp = 0, fp = 0;
        for (int i = 0; i < order.Length;)
        {
            double s = scores[order[i]];
            for (; i < order.Length && scores[order[i]] == s; i++)
                if (labels[order[i]]) tp++; else fp++;
            thresholds.Add(s == 0 ? 0 : s);
            tps.Add(tp);
            fps.Add(fp);
        }
        return new TiedScoreCounts([.. thresholds], [.. tps], [.. fps]);
    }
}
