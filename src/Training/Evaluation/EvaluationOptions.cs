namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Settings of an <see cref="EvaluationRun"/>. Few-shot defaults follow APRIL-GAN's <c>test_few_shot.sh</c> where they
/// matter (k = 4, seed 42). Whether a run is few-shot is decided by its detector (a memory-bank detector is).
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>
    /// The classes to evaluate, in the order given; each must be a class of the dataset. <see langword="null"/> (the
    /// default) evaluates every class of the dataset in its order.
    /// </summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>
    /// Few-shot: reference images picked per class from its train split when no <see cref="KShotFile"/> is given
    /// (paper script: 4). Ignored when a k-shot file is given (the file then says how many).
    /// </summary>
    public int K { get; init; } = 4;

    /// <summary>
    /// Few-shot: seed of the reference draw (<see cref="FewShotReferences.Sample"/>; paper script: 42); null takes the
    /// first k train images in sorted order instead. Ignored when a k-shot file is given.
    /// </summary>
    public int? Seed { get; init; } = 42;

    /// <summary>
    /// Few-shot: an explicit reference list in APRIL-GAN's <c>k_shot.txt</c> format (see <see cref="FewShotReferences.Read"/>)
    /// instead of sampling; <see langword="null"/> samples.
    /// </summary>
    public string? KShotFile { get; init; }

    /// <summary>
    /// Extra facts recorded verbatim under <c>settings</c> in <c>results.json</c> and at the top of <c>log.txt</c>
    /// (e.g. the model and adapter the caller loaded); keys must not clash with the run's own settings.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>
    /// Few-shot image score: <see cref="FewShotImageScore.Transductive"/> (the paper: per-class min-max over the test
    /// set) or <see cref="FewShotImageScore.PerImage"/> (the detector's own score, calibrated on the references).
    /// </summary>
    public FewShotImageScore FewShotScore { get; init; } = FewShotImageScore.Transductive;
}
