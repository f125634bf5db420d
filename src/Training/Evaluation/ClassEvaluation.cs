using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Training.Evaluation;

/// <summary>What was evaluated for one class and its metrics.</summary>
/// <param name="Metrics">The class's metrics (fractions in [0, 1]; NaN where undefined).</param>
/// <param name="Images">Number of test images scored.</param>
/// <param name="Anomalous">How many of them are labelled anomalous.</param>
/// <param name="PixelMetricsAvailable">
/// False when an anomalous image has no mask: its defect pixels are unknown, so the pixel metrics and both AUPROs are
/// reported as NaN rather than computed against a wrong (all-normal) mask; image metrics are unaffected.
/// </param>
/// <param name="References">Few-shot reference paths relative to the dataset root (empty in zero-shot mode or for
/// predictions evaluated from files).</param>
/// <param name="Outcomes">Every image of the class with its label and the score that entered the image metrics, in order.</param>
public sealed record ClassEvaluation(ClassMetrics Metrics, int Images, int Anomalous, bool PixelMetricsAvailable, IReadOnlyList<string> References,
    IReadOnlyList<ImageOutcome> Outcomes)
{
    /// <summary>The class name.</summary>
    public string ClassName => Metrics.ClassName;

    /// <summary>
    /// The metrics with the pixel-level values replaced by NaN (see <see cref="PixelMetricsAvailable"/>).
    /// </summary>
    internal static ClassMetrics WithoutPixelMetrics(ClassMetrics m) => m with
    {
        PixelAuroc = double.NaN, PixelF1Max = double.NaN, PixelAp = double.NaN, Aupro = double.NaN, AuproStandard = double.NaN,
    };
}
