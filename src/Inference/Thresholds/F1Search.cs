namespace AnomalyClip.Inference.Thresholds;

/// <summary>
/// Finds the F1-maximising cut while groups of tied scores are added from the highest score down. Cuts are compared
/// exactly (integer cross-multiplication), and on an exact tie the earlier, higher cut is kept.
/// </summary>
internal struct F1Search
{
    private readonly long _positives;
    private long _tp;
    private long _fp;
    private long _bestTp;
    private long _bestFp;

    /// <summary>Starts a search over data holding <paramref name="positives"/> positive samples (must be &gt; 0).</summary>
    public F1Search(long positives) => _positives = positives;

    /// <summary>
    /// Adds the next lower group: its samples are predicted positive from now on. True when cutting just below this
    /// group beats every earlier cut.
    /// </summary>
    public bool AddGroup(long positives, long negatives)
    {
        _tp += positives;
        _fp += negatives;
        // F1 = 2·TP / (TP + FP + P); compare TP/(TP + FP + P) across cuts without rounding.
        if ((Int128)_tp * (_bestTp + _bestFp + _positives) <= (Int128)_bestTp * (_tp + _fp + _positives)) return false;
        (_bestTp, _bestFp) = (_tp, _fp);
        return true;
    }

    /// <summary>The best cut's metrics with the given <paramref name="threshold"/> (call after a group with a positive was added).</summary>
    public readonly F1Threshold Result(double threshold) => new(
        threshold,
        2.0 * _bestTp / (_bestTp + _bestFp + _positives),
        (double)_bestTp / (_bestTp + _bestFp),
        (double)_bestTp / _positives);
}
