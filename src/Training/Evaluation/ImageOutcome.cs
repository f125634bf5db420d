namespace AnomalyClip.Training.Evaluation;

/// <summary>One evaluated image: what it is and the score that entered the image-level metrics.</summary>
/// <param name="RelativeImagePath">Path relative to the dataset root (or the file as given, for stored predictions).</param>
/// <param name="DefectType">Defect folder name ("good" or empty for normal images, as the dataset names them).</param>
/// <param name="IsAnomalous">The label.</param>
/// <param name="Score">The image score used for the metrics.</param>
public sealed record ImageOutcome(string RelativeImagePath, string DefectType, bool IsAnomalous, double Score);
