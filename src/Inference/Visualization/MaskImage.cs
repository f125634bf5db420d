using AnomalyClip.Inference.Detection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>Binary anomaly masks as 8-bit grey images: 255 = anomalous, 0 = normal (the MVTec ground-truth convention).</summary>
public static class MaskImage
{
    /// <summary>A grey image of <paramref name="mask"/>: nonzero bytes become 255, zeros stay 0.</summary>
    /// <param name="mask">width·height bytes, row-major (e.g. 0/1 from <see cref="AnomalyMap.Threshold"/>).</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="ArgumentException">The mask length does not match the size, or the size is not positive.</exception>
    public static Image<L8> Create(ReadOnlySpan<byte> mask, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (mask.Length != (long)width * height)
            throw new ArgumentException($"mask has {mask.Length} values, expected {width}×{height}", nameof(mask));
        var grey = new byte[mask.Length];
        for (int i = 0; i < grey.Length; i++) grey[i] = mask[i] != 0 ? (byte)255 : (byte)0;
        return Image.LoadPixelData<L8>(grey, width, height);
    }

    /// <summary>
    /// The mask of <paramref name="result"/> at <paramref name="threshold"/> (map value strictly above it =
    /// anomalous), at the source image's size unless <paramref name="originalSize"/> is false.
    /// </summary>
    public static Image<L8> Create(AnomalyResult result, double threshold, bool originalSize = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var mask = result.Mask(threshold, originalSize);
        return originalSize
            ? Create(mask, result.OriginalWidth, result.OriginalHeight)
            : Create(mask, result.Map.Width, result.Map.Height);
    }
}
