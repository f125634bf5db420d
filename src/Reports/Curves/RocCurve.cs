namespace AnomalyClip.Reports.Curves;

/// <summary>
/// The receiver operating characteristic of a binary ranking, as scikit-learn's <c>roc_curve</c> returns it: one
/// point per distinct score (ties grouped), starting at (0, 0) with threshold +∞, FPR and TPR non-decreasing.
/// </summary>
/// <param name="Fpr">False positive rates.</param>
/// <param name="Tpr">True positive rates.</param>
/// <param name="Thresholds">Score at each point (an image counts as positive when its score is ≥ it); the first is +∞.</param>
internal sealed record RocCurve(double[] Fpr, double[] Tpr, double[] Thresholds)
{
    /// <summary>Computes the curve of <paramref name="scores"/> against <paramref name="labels"/> (true = anomalous).</summary>
    /// <param name="scores">Scores, higher = more anomalous.</param>
    /// <param name="labels">Labels, same length.</param>
    /// <param name="dropIntermediate">
    /// Drops points that lie on a straight horizontal or vertical run between their neighbours (scikit-learn's
    /// default <c>drop_intermediate=True</c>); the drawn curve is the same.
    /// </param>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, or one label value is missing (the curve is undefined).</exception>
    public static RocCurve Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, bool dropIntermediate = true)
    {
        var counts = TiedScoreCounts.Compute(scores, labels);
        if (counts.Positives == 0 || counts.Negatives == 0)
            throw new ArgumentException("an ROC curve needs both anomalous and normal samples", nameof(labels));

        var keep = Enumerable.Range(0, counts.Thresholds.Length);
        if (dropIntermediate && counts.Thresholds.Length > 2)
        {
            var tp = counts.TruePositives;
            var fp = counts.FalsePositives;
            int last = tp.Length - 1;
            // np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
            keep = keep.Where(i => i == 0 || i == last
                || fp[i + 1] - 2 * fp[i] + fp[i - 1] != 0
                || tp[i + 1] - 2 * tp[i] + tp[i - 1] != 0);
        }
        var kept = keep.ToArray();

        double p = counts.Positives, n = counts.Negatives;
        var fpr = new double[kept.Length + 1];
        var tpr = new double[kept.Length + 1];
        var th = new double[kept.Length + 1];
        th[0] = double.PositiveInfinity;
        for (int k = 0; k < kept.Length; k++)
        {
            fpr[k + 1] = counts.FalsePositives[kept[k]] / n;
            tpr[k + 1] = counts.TruePositives[kept[k]] / p;
            th[k + 1] = counts.Thresholds[kept[k]];
        }
        return new RocCurve(fpr, tpr, th);
    }
}
