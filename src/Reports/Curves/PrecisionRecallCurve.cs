namespace AnomalyClip.Reports.Curves;

/// <summary>
/// The precision-recall curve of a binary ranking with the points of scikit-learn's <c>precision_recall_curve</c>
/// (one per distinct score, ties grouped, plus the end point recall 0 / precision 1), ordered the other way round:
/// from that end point (threshold +∞) down to the lowest score, so recall is non-decreasing.
/// </summary>
/// <param name="Recall">Recall at each point.</param>
/// <param name="Precision">Precision at each point.</param>
/// <param name="Thresholds">Score at each point (positive when score ≥ it); the first is +∞.</param>
internal sealed record PrecisionRecallCurve(double[] Recall, double[] Precision, double[] Thresholds)
{
    /// <summary>Computes the curve of <paramref name="scores"/> against <paramref name="labels"/> (true = anomalous).</summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is not finite, or there is no positive (the curve is undefined).</exception>
    public static PrecisionRecallCurve Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var counts = TiedScoreCounts.Compute(scores, labels);
        if (counts.Positives == 0)
            throw new ArgumentException("a precision-recall curve needs anomalous samples", nameof(labels));
        int m = counts.Thresholds.Length;
        var recall = new double[m + 1];
        var precision = new double[m + 1];
        var th = new double[m + 1];
        precision[0] = 1;
        th[0] = double.PositiveInfinity;
        double p = counts.Positives;
        for (int i = 0; i < m; i++)
        {
            long tp = counts.TruePositives[i];
            recall[i + 1] = tp / p;
            precision[i + 1] = (double)tp / (tp + counts.FalsePositives[i]);
            th[i + 1] = counts.Thresholds[i];
        }
        return new PrecisionRecallCurve(recall, precision, th);
    }

    /// <summary>Σ (Rₙ − Rₙ₋₁)·Pₙ over the points (scikit-learn's average precision).</summary>
    public double AveragePrecision()
    {
        double ap = 0;
        for (int i = 1; i < Recall.Length; i++) ap += (Recall[i] - Recall[i - 1]) * Precision[i];
        return ap;
    }

    /// <summary>The point of highest F1 = 2PR/(P+R) (the first when tied), or −1 when every F1 is 0.</summary>
    public int F1MaxIndex()
    {
        int best = -1;
        double bestF1 = 0;
        for (int i = 0; i < Recall.Length; i++)
        {
            double sum = Precision[i] + Recall[i];
            double f1 = sum > 0 ? 2 * Precision[i] * Recall[i] / sum : 0;
            if (f1 > bestF1) { bestF1 = f1; best = i; }
        }
        return best;
    }
}
