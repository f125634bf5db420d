namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Walks the groups of tied scores from the highest score down and accumulates AUROC, AP and F1-max with
/// scikit-learn 1.2 semantics: one ROC/PR point per distinct score, ties never split.
/// </summary>
/// <remarks>
/// Some sklearn versions end <c>precision_recall_curve</c> at the first point of full recall, others keep the
/// points after it. Neither AP (recall no longer grows there) nor F1-max (precision only falls there) can tell the
/// difference, so this walk simply keeps them all.
/// </remarks>
internal struct RankingCurve
{
    private readonly long _positives;
    private readonly long _negatives;
    private long _tp;
    private long _fp;
    private Int128 _rocArea2;
    private double _ap;
    private double _f1Max;

    /// <summary>Starts a walk over scores with the given label totals.</summary>
    public RankingCurve(long positives, long negatives)
    {
        _positives = positives;
        _negatives = negatives;
        _f1Max = 0; // the (P=1, R=0) end point of the PR curve
    }

    /// <summary>Adds the next lower distinct score, held by <paramref name="positives"/> positive and <paramref name="negatives"/> negative samples.</summary>
    public void AddGroup(long positives, long negatives)
    {
        long tpPrev = _tp, fpPrev = _fp;
        _tp += positives;
        _fp += negatives;
        // Twice the trapezoid area in units of one TP × one FP: exact integers, one division at the end.
        _rocArea2 += (Int128)(_fp - fpPrev) * (_tp + tpPrev);
        if (_positives == 0) return;
        double precision = (double)_tp / (_tp + _fp);
        double recall = (double)_tp / _positives;
        _ap += (recall - (double)tpPrev / _positives) * precision;
        double f1 = 2 * precision * recall / (precision + recall);
        if (double.IsFinite(f1) && f1 > _f1Max) _f1Max = f1;
    }

    /// <summary>
    /// The metrics after all groups were added. AUROC is NaN unless both labels occur; AP and F1-max are NaN when
    /// there is no positive (sklearn raises or warns in these cases).
    /// </summary>
    public readonly RankingMetrics Result()
    {
        double auroc = _positives > 0 && _negatives > 0
            ? (double)_rocArea2 / (2.0 * _positives * _negatives)
            : double.NaN;
        return _positives > 0 ? new RankingMetrics(auroc, _ap, _f1Max) : new RankingMetrics(auroc, double.NaN, double.NaN);
    }
}
