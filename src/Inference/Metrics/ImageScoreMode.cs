namespace AnomalyClip.Inference.Metrics;

/// <summary>Which image score enters the image-level metrics.</summary>
public enum ImageScoreMode
{
    /// <summary>The score passed with each image (APRIL-GAN zero-shot: the text probability).</summary>
    AsGiven,

    /// <summary>
    /// APRIL-GAN few-shot: 0.5·(given score + m̂), where m̂ is the image's map maximum min-max normalised over all
    /// images of the class (in float32, as their numpy code does). Transductive: it needs the whole class, so it
    /// is applied when the metrics are computed.
    /// </summary>
    BlendWithMapMax,
}
