namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// Statistics of the map maximum over the reference images themselves, measured leave-one-out (each reference
/// against a bank of the others), that turn a single test image's map maximum into a [0,1] value without seeing
/// other test images: m̃ = σ((m − <see cref="Mean"/>) / <see cref="Std"/>). They need normal images only.
/// </summary>
/// <param name="Mean">Mean of the references' map maxima.</param>
/// <param name="Std">Standard deviation of the references' map maxima, floored so a tight cluster does not blow up.</param>
/// <param name="Samples">Number of maxima measured.</param>
public sealed record FewShotCalibration(double Mean, double Std, int Samples)
{
    /// <summary>Lower bound of <see cref="Std"/> for APRIL-GAN's maps, in map units (the few-shot map spans [0, 3·layers]).</summary>
    public const double MinStd = 0.05;

    /// <summary>Builds the statistics from measured maxima; the standard deviation is floored at <paramref name="minStd"/>.</summary>
    /// <exception cref="ArgumentException">No maxima, or a maximum is not finite.</exception>
    public static FewShotCalibration FromMaxima(IReadOnlyList<double> maxima, double minStd = MinStd)
    {
        if (maxima.Count == 0) throw new ArgumentException("no maxima to calibrate on");
        if (maxima.Any(m => !double.IsFinite(m))) throw new ArgumentException("a reference's map maximum is not finite");
        double mean = maxima.Average();
        double std = maxima.Count > 1 ? Math.Sqrt(maxima.Sum(m => (m - mean) * (m - mean)) / (maxima.Count - 1)) : 0;
        return new FewShotCalibration(mean, Math.Max(std, minStd), maxima.Count);
    }

    /// <summary>The standardised map maximum z = (m − mean)/std.</summary>
    public double Standardize(double mapMax) => (mapMax - Mean) / Std;

    /// <summary>The calibrated map component m̃ = σ(z) ∈ (0,1) of a map maximum.</summary>
    public double Normalize(double mapMax) => 1.0 / (1.0 + Math.Exp(-Standardize(mapMax)));
}
