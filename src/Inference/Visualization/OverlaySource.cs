using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;

namespace AnomalyClip.Inference.Visualization;

/// <summary>Checks that an overlay is drawn on the image a result was computed from.</summary>
internal static class OverlaySource
{
    public static void EnsureMatches(DecodedImage image, AnomalyResult result)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(result);
        if (image.Width != result.OriginalWidth || image.Height != result.OriginalHeight)
            throw new ArgumentException(
                $"image is {image.Width}×{image.Height} but the result ({result.Source ?? "unnamed"}) came from a " +
                $"{result.OriginalWidth}×{result.OriginalHeight} image", nameof(image));
    }
}
