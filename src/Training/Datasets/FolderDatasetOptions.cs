namespace AnomalyClip.Training.Datasets;

/// <summary>Options of <see cref="FolderDataset.Load"/>.</summary>
public sealed record FolderDatasetOptions
{
    /// <summary>
    /// The class name of a one-class folder (used verbatim in the text prompts, e.g. <c>bottle</c>);
    /// <see langword="null"/> (the default) names the class after the root folder. Not allowed for the several-class layout.
    /// </summary>
    public string? ClassName { get; init; }
}
