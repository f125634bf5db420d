namespace AnomalyClip.Inference.Thresholds;

/// <summary>
/// The F1-maximising operating point found by <see cref="ThresholdCalibration.F1Optimal(ReadOnlySpan{double}, ReadOnlySpan{bool})"/>.
/// </summary>
/// <param name="Threshold">Decision threshold: a score strictly above it is anomalous (score units).</param>
/// <param name="F1">F1 at that threshold on the calibration data, 2·TP/(2·TP + FP + FN), in [0, 1].</param>
/// <param name="Precision">TP/(TP + FP) at that threshold, in [0, 1].</param>
/// <param name="Recall">TP/(TP + FN) at that threshold, in [0, 1].</param>
public readonly record struct F1Threshold(double Threshold, double F1, double Precision, double Recall);
