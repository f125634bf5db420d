using AnomalyClip.Clip.Preprocessing;

namespace AnomalyClip.Inference.FewShot;

/// <summary>Mirror images and right-angle rotations of decoded images (exact pixel permutations).</summary>
internal static class ImageViews
{
    /// <summary>The image first, then the views <paramref name="augmentation"/> asks for.</summary>
    public static IEnumerable<DecodedImage> Of(DecodedImage image, ReferenceAugmentation augmentation)
    {
        yield return image;
        if (augmentation.HasFlag(ReferenceAugmentation.Flips))
        {
            yield return Map(image, image.Width, image.Height, (x, y) => (image.Width - 1 - x, y));
            yield return Map(image, image.Width, image.Height, (x, y) => (x, image.Height - 1 - y));
        }
        if (augmentation.HasFlag(ReferenceAugmentation.Rotations))
        {
            // Output (x, y) of a clockwise turn reads the source at (y, H−1−x) for 90°, etc.
            yield return Map(image, image.Height, image.Width, (x, y) => (y, image.Height - 1 - x));
            yield return Map(image, image.Width, image.Height, (x, y) => (image.Width - 1 - x, image.Height - 1 - y));
            yield return Map(image, image.Height, image.Width, (x, y) => (image.Width - 1 - y, x));
        }
    }

    private static DecodedImage Map(DecodedImage image, int width, int height, Func<int, int, (int X, int Y)> source)
    {
        int c = image.Channels;
        var src = image.Pixels;
        var dst = new byte[(long)width * height * c];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (sx, sy) = source(x, y);
                src.Slice((sy * image.Width + sx) * c, c).CopyTo(dst.AsSpan((y * width + x) * c, c));
            }
        return new DecodedImage(width, height, image.Mode, dst);
    }
}
