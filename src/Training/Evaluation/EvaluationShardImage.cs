namespace AnomalyClip.Training.Evaluation;

/// <summary>One test image scored by a shard: what it is and what the detector made of it.</summary>
/// <param name="Index">Position in the run's whole image list (classes in order, each class's test images in dataset order).</param>
/// <param name="ClassName">The class.</param>
/// <param name="RelativeImagePath">The image, relative to the dataset root.</param>
/// <param name="DefectType">The defect folder, as the dataset names it.</param>
/// <param name="IsAnomalous">The label.</param>
/// <param name="RelativeMaskPath">The ground-truth mask relative to the dataset root, or null when there is none.</param>
/// <param name="Score">The detector's own image score.</param>
/// <param name="TextProbability">The text tower's abnormal probability, or null for detectors without one.</param>
/// <param name="MapMax">The map's maximum.</param>
/// <param name="Map">The name of the image's map in <see cref="EvaluationShard.MapsFile"/>.</param>
public sealed record EvaluationShardImage(int Index, string ClassName, string RelativeImagePath, string DefectType, bool IsAnomalous,
    string? RelativeMaskPath, double Score, double? TextProbability, double MapMax, string Map);
