using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>
/// JET-coloured anomaly heatmaps blended over the source image, as APRIL-GAN's <c>test.py</c> writes them
/// (<c>normalize()</c> + <c>apply_ad_scoremap()</c>, spec §11).
/// </summary>
/// <remarks>
/// The steps follow the paper's numpy/OpenCV arithmetic: the map is scaled to [0, 1] in float32
/// (<see cref="HeatmapScale"/>), multiplied by 255 and truncated to a byte (<c>astype(np.uint8)</c>), coloured with
/// OpenCV's <c>COLORMAP_JET</c> table, and blended as <c>w·image + (1 − w)·heatmap</c> truncated to a byte
/// (w = 0.5 gives ⌊(image + heatmap)/2⌋). In <see cref="OverlaySize.Model"/> the image is resized to the map's size
/// with OpenCV-style bilinear interpolation, as <c>cv2.resize</c> does in the paper.
/// </remarks>
public static class HeatmapOverlay
{
    /// <summary>Blends the heatmap of <paramref name="map"/> over <paramref name="image"/>.</summary>
    /// <param name="image">The source image (any mode; grey is replicated, alpha dropped).</param>
    /// <param name="map">The anomaly map, normally at model resolution (S×S).</param>
    /// <param name="options">Size, scale and blend weight (default: the paper's).</param>
    /// <returns>An RGB image of the map's size (<see cref="OverlaySize.Model"/>) or the image's (<see cref="OverlaySize.Original"/>).</returns>
    /// <exception cref="ArgumentException">A map value is NaN or infinite, or the blend weight is outside [0, 1].</exception>
    public static Image<Rgb24> Render(DecodedImage image, AnomalyMap map, HeatmapOverlayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        options ??= new HeatmapOverlayOptions();
        double weight = options.ImageWeight;
        if (!(weight >= 0 && weight <= 1))
            throw new ArgumentException($"image weight must be in [0, 1], got {weight}", nameof(options));

        byte[] rgb = RgbPixels.From(image);
        int width, height;
        if (options.Size == OverlaySize.Model)
        {
            (width, height) = (map.Width, map.Height);
            rgb = LinearResize.Resize(rgb, image.Width, image.Height, 3, width, height);
        }
        else
        {
            (width, height) = (image.Width, image.Height);
            map = map.Resize(width, height);
        }

        byte[] heat = Colorize(map, options.Scale);
        for (int i = 0; i < rgb.Length; i++)
            rgb[i] = (byte)(weight * rgb[i] + (1 - weight) * heat[i]);
        return RgbPixels.ToImage(rgb, width, height);
    }

    /// <summary>
    /// Blends the heatmap of <paramref name="result"/>'s map over <paramref name="image"/>, the image the result
    /// was computed from.
    /// </summary>
    /// <exception cref="ArgumentException">The image's size is not the result's original size; see also the map overload.</exception>
    public static Image<Rgb24> Render(DecodedImage image, AnomalyResult result, HeatmapOverlayOptions? options = null)
    {
        OverlaySource.EnsureMatches(image, result);
        return Render(image, result.Map, options);
    }

    /// <summary>The JET-coloured map alone, at the map's size.</summary>
    /// <exception cref="ArgumentException">A map value is NaN or infinite.</exception>
    public static Image<Rgb24> Heatmap(AnomalyMap map, HeatmapScale? scale = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        return RgbPixels.ToImage(Colorize(map, scale ?? HeatmapScale.PerImage), map.Width, map.Height);
    }

    /// <summary>The 8-bit colour-map index of every map value (0 = bottom of the scale, 255 = top).</summary>
    internal static byte[] Levels(AnomalyMap map, HeatmapScale scale)
    {
        var values = map.Values;
        float lo, hi;
        if (scale.IsPerImage)
        {
            lo = float.PositiveInfinity;
            hi = float.NegativeInfinity;
            foreach (float v in values)
            {
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
        }
        else
        {
            (lo, hi) = ((float)scale.Min, (float)scale.Max);
        }

        var levels = new byte[values.Length];
        float range = hi - lo;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v)) throw new ArgumentException($"map value {i} is {v}", nameof(map));
            // The paper divides by zero for a constant map (NaN); here such a map stays at the bottom colour.
            float unit = range > 0 ? Math.Clamp((v - lo) / range, 0f, 1f) : 0f;
            levels[i] = (byte)(unit * 255f);
        }
        return levels;
    }

    private static byte[] Colorize(AnomalyMap map, HeatmapScale scale)
    {
        var levels = Levels(map, scale);
        var rgb = new byte[levels.Length * 3];
        for (int i = 0; i < levels.Length; i++)
        {
            var c = JetColormap.Lookup(levels[i]);
            rgb[3 * i] = c.R;
            rgb[3 * i + 1] = c.G;
            rgb[3 * i + 2] = c.B;
        }
        return rgb;
    }
}
