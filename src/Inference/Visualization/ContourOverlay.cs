using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>Outlines of thresholded anomaly regions drawn over an image.</summary>
/// <remarks>
/// A region's outline is its inner boundary: the mask pixels that have a 4-neighbour outside the mask (pixels
/// beyond the image edge count as outside, so regions touching the edge are closed). That boundary is 8-connected
/// and never covers pixels outside the region. A thicker outline takes the mask pixels within city-block distance
/// <c>thickness</c> of the outside, i.e. it grows inward.
/// </remarks>
public static class ContourOverlay
{
    /// <summary>The default outline colour (pure red).</summary>
    public static Rgb24 DefaultColor { get; } = new(255, 0, 0);

    /// <summary>The outline pixels (1) of a binary mask (nonzero = inside), row-major like the mask.</summary>
    /// <param name="mask">width·height bytes; nonzero marks a region pixel.</param>
    /// <param name="width">Mask width in pixels.</param>
    /// <param name="height">Mask height in pixels.</param>
    /// <param name="thickness">Outline width in pixels (≥ 1).</param>
    /// <exception cref="ArgumentException">The mask length does not match the size, or the size or thickness is not positive.</exception>
    public static byte[] Boundary(ReadOnlySpan<byte> mask, int width, int height, int thickness = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(thickness);
        if (mask.Length != (long)width * height)
            throw new ArgumentException($"mask has {mask.Length} values, expected {width}×{height}", nameof(mask));

        // Multi-source breadth-first search inward from the first boundary ring: distance[i] is the city-block
        // distance of a region pixel to the nearest outside pixel (0 = not reached yet or outside).
        var distance = new int[mask.Length];
        var queue = new Queue<int>();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (mask[i] == 0) continue;
                bool edge = x == 0 || y == 0 || x == width - 1 || y == height - 1
                            || mask[i - 1] == 0 || mask[i + 1] == 0 || mask[i - width] == 0 || mask[i + width] == 0;
                if (!edge) continue;
                distance[i] = 1;
                queue.Enqueue(i);
            }
        }

        var outline = new byte[mask.Length];
        Span<int> neighbours = stackalloc int[4];
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            outline[i] = 1;
            if (distance[i] == thickness) continue;
            int x = i % width, y = i / width;
            int count = 0;
            if (x > 0) neighbours[count++] = i - 1;
            if (x < width - 1) neighbours[count++] = i + 1;
            if (y > 0) neighbours[count++] = i - width;
            if (y < height - 1) neighbours[count++] = i + width;
            foreach (int j in neighbours[..count])
            {
                if (mask[j] == 0 || distance[j] != 0) continue;
                distance[j] = distance[i] + 1;
                queue.Enqueue(j);
            }
        }
        return outline;
    }

    /// <summary>Draws the outline of <paramref name="mask"/> (same size as <paramref name="target"/>) onto <paramref name="target"/>.</summary>
    /// <param name="target">The image drawn on, for example a <see cref="HeatmapOverlay"/> at original size.</param>
    /// <param name="mask">target.Width·target.Height bytes, row-major; nonzero marks a region pixel.</param>
    /// <param name="color">Outline colour (default <see cref="DefaultColor"/>).</param>
    /// <param name="thickness">Outline width in pixels (≥ 1).</param>
    /// <exception cref="ArgumentException">The mask size does not match the image, or the thickness is not positive.</exception>
    public static void Draw(Image<Rgb24> target, ReadOnlySpan<byte> mask, Rgb24? color = null, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(target);
        var outline = Boundary(mask, target.Width, target.Height, thickness);
        var c = color ?? DefaultColor;
        for (int i = 0; i < outline.Length; i++)
            if (outline[i] != 0) target[i % target.Width, i / target.Width] = c;
    }

    /// <summary>The source image (as RGB) with the outline of <paramref name="mask"/> drawn on it.</summary>
    /// <param name="image">The source image (any mode; grey is replicated, alpha dropped).</param>
    /// <param name="mask">image.Width·image.Height bytes, row-major; nonzero marks a region pixel.</param>
    /// <param name="color">Outline colour (default <see cref="DefaultColor"/>).</param>
    /// <param name="thickness">Outline width in pixels (≥ 1).</param>
    /// <exception cref="ArgumentException">The mask size does not match the image, or the thickness is not positive.</exception>
    public static Image<Rgb24> Render(DecodedImage image, ReadOnlySpan<byte> mask, Rgb24? color = null, int thickness = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        var output = RgbPixels.ToImage(RgbPixels.From(image), image.Width, image.Height);
        try
        {
            Draw(output, mask, color, thickness);
        }
        catch
        {
            output.Dispose();
            throw;
        }
        return output;
    }

    /// <summary>
    /// The source image with the outline of the regions where <paramref name="result"/>'s map, resized to the
    /// image, is above <paramref name="threshold"/> (<see cref="AnomalyResult.Mask"/> with original size).
    /// </summary>
    /// <exception cref="ArgumentException">The image's size is not the result's original size, or the thickness is not positive.</exception>
    public static Image<Rgb24> Render(DecodedImage image, AnomalyResult result, double threshold, Rgb24? color = null, int thickness = 1)
    {
        OverlaySource.EnsureMatches(image, result);
        return Render(image, result.Mask(threshold, originalSize: true), color, thickness);
    }
}
