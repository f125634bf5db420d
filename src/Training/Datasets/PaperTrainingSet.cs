namespace AnomalyClip.Training.Datasets;

/// <summary>
/// What the paper trains on and how long (spec §7). The optimiser settings are the same for both directions:
/// batch 8, Adam lr 1e-3, betas (0.5, 0.999), constant learning rate, seed 111.
/// </summary>
/// <param name="SourceName">The dataset trained on: <c>mvtec</c> or <c>visa</c>.</param>
/// <param name="EvaluationName">The dataset the resulting weights are evaluated on (the other one).</param>
/// <param name="ClassNames">The classes trained on, in order.</param>
/// <param name="SamplesByClass">The training samples (the source's test split) per class, in class order.</param>
/// <param name="Samples">All training samples, class by class (the reference's dataset order before shuffling).</param>
/// <param name="Epochs">Passes over <paramref name="Samples"/>: 3 for MVTec, 15 for VisA.</param>
/// <param name="MosaicProbability">Per-sample probability of replacing the sample by a 2x2 same-class mosaic: 0.2 for MVTec, 0 for VisA.</param>
public sealed record PaperTrainingSet(
    string SourceName,
    string EvaluationName,
    IReadOnlyList<string> ClassNames,
    IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> SamplesByClass,
    IReadOnlyList<AnomalySample> Samples,
    int Epochs,
    double MosaicProbability)
{
    /// <summary>Images per optimiser step (both directions).</summary>
    public const int BatchSize = 8;

    /// <summary>Adam learning rate, constant (both directions).</summary>
    public const double LearningRate = 1e-3;

    /// <summary>Adam beta1 (both directions).</summary>
    public const double Beta1 = 0.5;

    /// <summary>Adam beta2 (both directions).</summary>
    public const double Beta2 = 0.999;

    /// <summary>The reference's <c>setup_seed(111)</c>.</summary>
    public const int Seed = 111;
}
