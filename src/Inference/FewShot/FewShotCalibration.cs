namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// Statistics of the combined-map maximum over the reference images themselves, measured leave-one-out (each
/// reference against a bank of the others), that turn a single test image's map maximum into a [0,1] score without
/// seeing other test images: m̃ = σ((m − <see cref="Mean"/>) / <see cref="Std"/>).
/// </summary>
/// <param name="Mean">Mean of the references' map maxima.</param>
/// <param name="Std">Standard deviation of the references' map maxima, floored so a tight cluster does not blow up.</param>
/// <param name="Samples">Number of maxima measured.</param>
public sealed record FewShotCalibration(double Mean, double Std, int Samples)
{
    /// <summary>Lower bound of <see cref="Std"/>, in map units (the map spans [0, 2·layers]).</summary>
    public const double MinStd = 0.05;

    /// <summary>Builds the statistics from measured maxima.</summary>
    public static FewShotCalibration FromMaxima(IReadOnlyList<double> maxima)
    {
        if (maxima.Count == 0) throw new ArgumentException("no maxima to calibrate on");
        double mean = maxima.Average();
        double std = maxima.Count > 1 ? Math.Sqrt(maxima.Sum(m => (m - mean) * (m - mean)) / (maxima.Count - 1)) : 0;
        return new FewShotCalibration(mean, Math.Max(std, MinStd), maxima.Count);
    }

    /// <summary>The calibrated map component m̃ ∈ (0,1) of a map maximum.</summary>
    public double Normalize(double mapMax) => 1.0 / (1.0 + Math.Exp(-(mapMax - Mean) / Std));
}
