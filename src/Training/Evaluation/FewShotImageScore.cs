namespace AnomalyClip.Training.Evaluation;

/// <summary>How a few-shot evaluation scores images.</summary>
public enum FewShotImageScore
{
    /// <summary>
    /// APRIL-GAN's score (<see cref="AnomalyClip.Inference.Detection.TransductiveScores"/>): ½(text probability + map
    /// maximum min-max normalised over the class's test images), the normalised maximum alone for detectors without a
    /// text probability. It needs the whole test set of the class.
    /// </summary>
    Transductive,

    /// <summary>The detector's own per-image score (<see cref="AnomalyClip.Inference.Detection.AnomalyResult.Score"/>),
    /// calibrated on the references: each test image is scored on its own.</summary>
    PerImage,
}
