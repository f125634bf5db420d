namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// The usual AUPRO of the MVTec AD evaluation code (<c>compute_pro</c> + <c>trapezoid(x_max=0.3)</c>, also used by
/// anomalib): the PRO curve at every distinct score, framed by (0, 0) and (1, 1), integrated up to FPR 0.3 with a
/// linearly interpolated last piece, divided by 0.3. Fed point by point in order of decreasing threshold.
/// </summary>
/// <remarks>Rates are float64 throughout (some copies of the MVTec code store FPRs as float32).</remarks>
internal struct StandardAupro
{
    /// <summary>The FPR up to which the curve is integrated.</summary>
    public const double FprLimit = 0.3;

    private double _x;
    private double _y;
    private double _area;
    private bool _done;

    /// <summary>Adds the next curve point (FPR and PRO after including one more distinct score).</summary>
    public void Add(double fpr, double pro)
    {
        if (_done) return;
        if (fpr <= FprLimit)
        {
            _area += 0.5 * (pro + _y) * (fpr - _x);
        }
        else
        {
            // The piece from the last point at or below the limit up to the limit, on the chord to this point.
            double yAtLimit = _y + (pro - _y) * (FprLimit - _x) / (fpr - _x);
            _area += 0.5 * (yAtLimit + _y) * (FprLimit - _x);
            _done = true;
        }
        _x = fpr;
        _y = pro;
    }

    /// <summary>Closes the curve at (1, 1) and returns the normalised area, a fraction in [0, 1].</summary>
    public double Finish()
    {
        Add(1, 1);
        return _area / FprLimit;
    }
}
