namespace AnomalyClip.Inference.Visualization;

/// <summary>Settings of <see cref="HeatmapOverlay"/>; the defaults reproduce APRIL-GAN's <c>test.py</c> overlays.</summary>
public sealed record HeatmapOverlayOptions
{
    /// <summary>Resolution of the output (default: the map's, as the paper).</summary>
    public OverlaySize Size { get; init; } = OverlaySize.Model;

    /// <summary>Value-to-colour scaling (default: min-max per image, as the paper).</summary>
    public HeatmapScale Scale { get; init; } = HeatmapScale.PerImage;

    /// <summary>
    /// Weight of the source image in the blend, in [0, 1]; the heatmap gets 1 − weight. Default 0.5 (the paper's
    /// <c>alpha</c>). 1 shows the image only, 0 the heatmap only.
    /// </summary>
    public double ImageWeight { get; init; } = 0.5;
}
