namespace AnomalyClip.Training.Evaluation;

/// <summary>One class of a sharded evaluation.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Images">Its test images in the whole run.</param>
/// <param name="References">Its few-shot references, relative to the dataset root; null for zero-shot runs.</param>
public sealed record EvaluationShardClass(string Name, int Images, IReadOnlyList<string>? References);
