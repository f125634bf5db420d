namespace AnomalyClip.Inference.Detection;

/// <summary>A detector's answer for one image: its image score, its anomaly map, and what the score was made of.</summary>
public sealed class AnomalyResult
{
    internal AnomalyResult(string? source, string? className, double score, double? textProbability, AnomalyMap map, int originalWidth, int originalHeight)
    {
        Source = source;
        ClassName = className;
        Score = score;
        TextProbability = textProbability;
        Map = map;
        MapMax = map.Max;
        OriginalWidth = originalWidth;
        OriginalHeight = originalHeight;
    }

    /// <summary>Where the image came from (file path or tensor name), if known.</summary>
    public string? Source { get; }

    /// <summary>The class name the image was scored for (null = "object").</summary>
    public string? ClassName { get; }

    /// <summary>Image-level anomaly score, higher = more anomalous; what it means is the detector's
    /// <see cref="AnomalyDetector.ScoreDescription"/>.</summary>
    public double Score { get; }

    /// <summary>softmax(100·ĝ·T)[abnormal] of CLIP's pooled image embedding (APRIL-GAN's zero-shot image score), or
    /// null for detectors without a text tower.</summary>
    public double? TextProbability { get; }

    /// <summary>The anomaly map at the detector's map resolution (<see cref="AnomalyDetector.MapSize"/>, square).</summary>
    public AnomalyMap Map { get; }

    /// <summary>Maximum of <see cref="Map"/> (what the transductive few-shot score normalises).</summary>
    public double MapMax { get; }

    /// <summary>Width of the source image in pixels.</summary>
    public int OriginalWidth { get; }

    /// <summary>Height of the source image in pixels.</summary>
    public int OriginalHeight { get; }

    /// <summary>The map resized bilinearly to the source image's size.</summary>
    public AnomalyMap MapAtOriginalSize() => Map.Resize(OriginalWidth, OriginalHeight);

    /// <summary>Binary mask (1 = anomalous) where the map exceeds <paramref name="threshold"/>, at model or original size.</summary>
    public byte[] Mask(double threshold, bool originalSize = false) => (originalSize ? MapAtOriginalSize() : Map).Threshold(threshold);

    /// <summary>A copy with another image score (e.g. the transductive score of a set).</summary>
    public AnomalyResult WithScore(double score) => new(Source, ClassName, score, TextProbability, Map, OriginalWidth, OriginalHeight);
}
