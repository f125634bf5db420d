namespace AnomalyClip.Inference.Features;

/// <summary>How a memory bank measures the distance of a query patch to its rows.</summary>
public enum PatchMetric
{
    /// <summary>1 − cosine similarity (APRIL-GAN on CLIP tokens); the bank stores unit-norm rows.</summary>
    Cosine,

    /// <summary>Euclidean distance (PatchCore on CNN features); the bank stores the raw rows.</summary>
    Euclidean,
}
