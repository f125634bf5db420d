namespace AnomalyClip.Inference.Thresholds;

/// <summary>An image with its ground truth, for calibration.</summary>
/// <param name="ImagePath">The image file.</param>
/// <param name="IsAnomalous">Its label.</param>
/// <param name="MaskPath">Its defect mask (any non-zero grey level is a defect pixel), or null: all normal for a
/// normal image, unknown for an anomalous one (then no pixel threshold can be calibrated).</param>
public sealed record LabelledImage(string ImagePath, bool IsAnomalous, string? MaskPath);
