namespace AnomalyClip.Inference.Visualization;

/// <summary>
/// How anomaly-map values become colours: which value maps to the bottom of the JET colour map (dark blue) and which
/// to the top (dark red).
/// </summary>
/// <remarks>
/// <para><see cref="PerImage"/> is what APRIL-GAN's <c>test.py</c> does (<c>normalize()</c>: min-max per image). It
/// always spreads the whole colour map over each image, so a perfectly normal image still shows a "hot" spot
/// wherever its map happens to peak.</para>
/// <para><see cref="Fixed"/> uses the same range for every image, so colours are comparable across images and normal
/// images stay cool. Pick the range the map can take: a zero-shot map is a sum of per-layer softmax probabilities,
/// so <c>Fixed(0, layers)</c> (e.g. 0..4 for four feature layers); a few-shot map adds per-layer cosine distances
/// to that (each in [0, 2], in practice well below 1), so a range calibrated on normal images (for example
/// 0..2·the pixel threshold of <see cref="Thresholds.DetectorThresholds"/>) suits it better. Values outside the
/// range are clamped to its ends.</para>
/// </remarks>
public sealed class HeatmapScale
{
    private HeatmapScale(bool perImage, double min, double max)
    {
        IsPerImage = perImage;
        Min = min;
        Max = max;
    }

    /// <summary>Min-max normalisation of each map on its own (the paper). A constant map is drawn all in the bottom colour.</summary>
    public static HeatmapScale PerImage { get; } = new(true, double.NaN, double.NaN);

    /// <summary>A fixed value range: <paramref name="min"/> maps to the bottom colour, <paramref name="max"/> to the top.</summary>
    /// <param name="min">Map value drawn as the bottom colour (map units).</param>
    /// <param name="max">Map value drawn as the top colour (map units); must exceed <paramref name="min"/> in float32.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="max"/> is not above <paramref name="min"/>.</exception>
    public static HeatmapScale Fixed(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || !((float)max > (float)min))
            throw new ArgumentOutOfRangeException(nameof(max), $"a fixed heatmap scale needs finite min < max, got [{min}, {max}]");
        return new HeatmapScale(false, min, max);
    }

    /// <summary>True for <see cref="PerImage"/>.</summary>
    public bool IsPerImage { get; }

    /// <summary>The value drawn as the bottom colour (map units); NaN for <see cref="PerImage"/>.</summary>
    public double Min { get; }

    /// <summary>The value drawn as the top colour (map units); NaN for <see cref="PerImage"/>.</summary>
    public double Max { get; }

    /// <inheritdoc/>
    public override string ToString() => IsPerImage ? "per-image" : $"fixed [{Min}, {Max}]";
}
