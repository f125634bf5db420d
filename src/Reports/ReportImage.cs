namespace AnomalyClip.Reports;

/// <summary>One evaluated image of a class, as the report shows it.</summary>
/// <param name="File">Display name, usually the path relative to the dataset root; shown under the thumbnail.</param>
/// <param name="IsAnomalous">Ground-truth label (true = anomalous).</param>
/// <param name="Score">The image anomaly score the image-level curves are drawn from; higher = more anomalous. Must be finite.</param>
/// <param name="OverlayPath">Path of the image's overlay PNG (or any PNG/JPEG), embedded as a thumbnail; <see langword="null"/> or a missing file shows a note instead.</param>
public sealed record ReportImage(string File, bool IsAnomalous, double Score, string? OverlayPath);
