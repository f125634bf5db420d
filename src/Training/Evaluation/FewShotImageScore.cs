namespace AnomalyClip.Training.Evaluation;

/// <summary>How a few-shot evaluation scores images.</summary>
public enum FewShotImageScore
{
    /// <summary>
    /// APRIL-GAN's score: ½(text probability + map maximum min-max normalised over the class's test images). It needs
    /// the whole test set of the class.
    /// </summary>
    Transductive,

    /// <summary>
    /// ½(text probability + σ((map max − μ)/σ_ref)), with μ and σ_ref measured leave-one-out on the reference images
    /// (<see cref="AnomalyClip.Inference.FewShot.FewShotCalibration"/>): each test image is scored on its own.
    /// </summary>
    PerImage,
}
