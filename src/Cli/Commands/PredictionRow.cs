namespace AnomalyClip.Cli.Commands;

/// <summary>One line of predict's results.csv before the image score is finalised (transductive scores need every row of a class).</summary>
/// <param name="Stem">The output name of the image (overlays, masks, maps).</param>
/// <param name="Source">The file as given (or the tensor name).</param>
/// <param name="Class">The class predicted for ("object" when none was given).</param>
/// <param name="Score">The detector's own image score.</param>
/// <param name="TextProbability">The text tower's abnormal probability, or null without one.</param>
/// <param name="MapMax">The map's maximum.</param>
internal sealed record PredictionRow(string Stem, string Source, string? Class, double Score, double? TextProbability, double MapMax);
