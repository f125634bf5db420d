namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Threshold-free quality of a binary ranking (anomaly score vs. label), as fractions in [0, 1], computed exactly
/// as scikit-learn 1.2 does: <c>roc_auc_score</c>, <c>average_precision_score</c> and the maximum F1 over the
/// points of <c>precision_recall_curve</c>. Tied scores form one threshold.
/// </summary>
/// <param name="Auroc">Area under the ROC curve (trapezoids). NaN when only one label value occurs.</param>
/// <param name="AveragePrecision">Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds, high to low (not interpolated). NaN without positives.</param>
/// <param name="F1Max">Maximum of 2PR/(P+R) over the precision-recall points. NaN without positives.</param>
public readonly record struct RankingMetrics(double Auroc, double AveragePrecision, double F1Max)
{
    /// <summary>Computes the metrics of <paramref name="scores"/> (higher = more anomalous) against <paramref name="labels"/> (true = anomalous).</summary>
    /// <exception cref="ArgumentException">The spans differ in length or a score is NaN or infinite.</exception>
    public static RankingMetrics Compute(ReadOnlySpan<double> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels", nameof(labels));
        var sorted = new double[scores.Length];
        var sortedLabels = new bool[scores.Length];
        long positives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"score {i} is {scores[i]}", nameof(scores));
            // −0 and +0 are one threshold.
            sorted[i] = scores[i] == 0 ? 0 : scores[i];
            sortedLabels[i] = labels[i];
            if (labels[i]) positives++;
        }
        Array.Sort(sorted, sortedLabels);

        var curve = new RankingCurve(positives, scores.Length - positives);
        for (int hi = sorted.Length - 1; hi >= 0;)
        {
            long p = 0, n = 0;
            int lo = hi;
            for (; lo >= 0 && sorted[lo] == sorted[hi]; lo--)
                if (sortedLabels[lo]) p++; else n++;
            curve.AddGroup(p, n);
            hi = lo;
        }
        return curve.Result();
    }
}
