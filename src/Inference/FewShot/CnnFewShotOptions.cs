namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// Options of <see cref="CnnFewShotDetector"/>. The defaults are the plain PatchCore recipe: layer2 + layer3, 3×3
/// neighbourhood mean, all bank rows, Gaussian smoothing σ = 4 px of the map.
/// </summary>
/// <param name="Layers">CNN layers whose features are joined (shallow first).</param>
/// <param name="Neighbourhood">Side of the feature averaging window in cells (odd; 1 = none).</param>
/// <param name="SmoothingSigma">Gaussian smoothing of the map in pixels at map resolution; 0 = off.</param>
/// <param name="CoresetFraction">Keep this fraction of each bank's rows, picked by <see cref="CoresetSampler"/>; null keeps all.</param>
/// <param name="Augmentation">Extra views of each reference added to its bank.</param>
/// <param name="BatchSize">Images per forward pass.</param>
/// <param name="Seed">Seed of the coreset's random projection and start row.</param>
public sealed record CnnFewShotOptions(
    IReadOnlyList<string>? Layers = null, int Neighbourhood = 3, double SmoothingSigma = 4, double? CoresetFraction = null,
    ReferenceAugmentation Augmentation = ReferenceAugmentation.None, int BatchSize = 1, int Seed = 0)
{
    /// <summary>The plain recipe.</summary>
    public static CnnFewShotOptions Default { get; } = new();

    /// <summary><see cref="Layers"/>, or layer2 + layer3 when null.</summary>
    public IReadOnlyList<string> LayersOrDefault => Layers ?? ["layer2", "layer3"];
}
