namespace AnomalyClip.Inference.Detection;

/// <summary>The detector's answer for one image.</summary>
public sealed class AnomalyResult
{
    internal AnomalyResult(string? source, string? className, double score, double textProbability, AnomalyMap map, int originalWidth, int originalHeight)
    {
        Source = source;
        ClassName = className;
        Score = score;
        TextProbability = textProbability;
        Map = map;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
    }

    /// <summary>Where the image came from (file path or tensor name), if known.</summary>
    public string? Source { get; }

    /// <summary>The class name prompts were built from (null = "object").</summary>
    public string? ClassName { get; }

    /// <summary>Image-level anomaly score in [0,1] (zero-shot: the text probability unless fused; few-shot: the per-image form).</summary>
    public double Score { get; }

    /// <summary>softmax(100·ĝ·T)[abnormal] of the pooled image embedding: APRIL-GAN's zero-shot image score.</summary>
    public double TextProbability { get; }

    /// <summary>The anomaly map at model resolution (S×S).</summary>
    public AnomalyMap Map { get; }

    /// <summary>Maximum of <see cref="Map"/> (what the transductive few-shot score normalises).</summary>
    public double MapMax => Map.Max;

    /// <summary>Width of the source image in pixels.</summary>
    public int OriginalWidth { get; }

    /// <summary>Height of the source image in pixels.</summary>
    public int OriginalHeight { get; }

    /// <summary>The map resized bilinearly to the source image's size.</summary>
    public AnomalyMap MapAtOriginalSize() => Map.Resize(OriginalWidth, OriginalHeight);

    /// <summary>Binary mask (1 = anomalous) where the map exceeds <paramref name="threshold"/>, at model or original size.</summary>
    public byte[] Mask(double threshold, bool originalSize = false) => (originalSize ? MapAtOriginalSize() : Map).Threshold(threshold);

    /// <summary>A copy with another image score (used by the transductive few-shot scoring).</summary>
    public AnomalyResult WithScore(double score) => new(Source, ClassName, score, TextProbability, Map, OriginalWidth, OriginalHeight);
}
