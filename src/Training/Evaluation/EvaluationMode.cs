namespace AnomalyClip.Training.Evaluation;

/// <summary>Which APRIL-GAN protocol an <see cref="EvaluationRun"/> follows.</summary>
public enum EvaluationMode
{
    /// <summary>
    /// Zero-shot (<c>--mode zero_shot</c>): map = sum of the per-layer text–patch maps; image score = the text
    /// probability of the pooled embedding (<see cref="AnomalyClip.Inference.Detection.AnomalyResult.TextProbability"/>).
    /// </summary>
    ZeroShot,

    /// <summary>
    /// Few-shot (<c>--mode few_shot</c>): map = zero-shot map + memory-bank map of k normal references per class from
    /// the train split; image score = ½(text probability + per-class min-max normalised map maximum), which is
    /// transductive (see <see cref="AnomalyClip.Inference.Metrics.ImageScoreMode.BlendWithMapMax"/>).
    /// </summary>
    FewShot,
}
