namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Pillow's <c>Image.resize</c> for 8-bit images (libImaging/Resample.c and Geometry.c), re-implemented so that the
/// resized pixels are identical to Pillow's: separable passes (horizontal first, each only when that side changes),
/// per-output-pixel weights normalised and quantised to 22 fractional bits, a rounded and clipped uint8 result after
/// each pass.
/// </summary>
internal static class PillowResampler
{
    // 8 bits of pixel, 2 bits of headroom for filters whose partial sums leave 0..1 (Pillow's choice).
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>
    /// <c>image.resize((width, height), filter)</c> with Pillow's mode rules: same size returns the image unchanged;
    /// bilevel and palette images always use NEAREST; images with alpha are resampled premultiplied (except with
    /// NEAREST) and then un-premultiplied.
    /// </summary>
    public static DecodedImage Resize(DecodedImage image, int width, int height, ResampleFilter filter)
    {
        if (width < 1 || height < 1)
            throw new ArgumentOutOfRangeException(nameof(width), $"target size must be positive, got {width}x{height}");
        if (image.Width == width && image.Height == height) return image;
        if (image.Mode is ImageMode.Bilevel or ImageMode.Palette) filter = ResampleFilter.Nearest;

        int channels = image.Channels;
        if (filter == ResampleFilter.Nearest)
            return new DecodedImage(width, height, image.Mode,
                Nearest(image.Buffer, image.Width, image.Height, channels, width, height));

        bool alpha = image.Mode is ImageMode.Rgba or ImageMode.GreyAlpha;
        byte[] source = alpha ? PillowModeConversion.Premultiply(image.Buffer, channels) : image.Buffer;
        byte[] result = Convolve(source, image.Width, image.Height, channels, width, height, filter);
        if (alpha) PillowModeConversion.UnpremultiplyInPlace(result, channels);
        return new DecodedImage(width, height, image.Mode, result);
    }

    /// <summary>
    /// Pillow's two-pass convolution on interleaved 8-bit channels, each channel independently.
    /// </summary>
    internal static byte[] Convolve(byte[] src, int inWidth, int inHeight, int channels, int outWidth, int outHeight,
        ResampleFilter filter)
    {
        byte[] current = src;
        int currentWidth = inWidth;
        if (outWidth != inWidth)
        {
            var (bounds, weights, ksize) = Coefficients(inWidth, outWidth, filter);
            current = Horizontal(current, inWidth, inHeight, channels, outWidth, bounds, weights, ksize);
            currentWidth = outWidth;
        }
        if (outHeight != inHeight)
        {
            var (bounds, weights, ksize) = Coefficients(inHeight, outHeight, filter);
            current = Vertical(current, currentWidth, channels, outHeight, bounds, weights, ksize);
        }
        return ReferenceEquals(current, src) ? (byte[])src.Clone() : current;
    }

    /// <summary>
    /// Pillow's <c>precompute_coeffs</c> followed by <c>normalize_coeffs_8bpc</c>: for each output index its first
    /// source index and tap count, and <paramref name="outSize"/>·ksize fixed-point weights.
    /// </summary>
    internal static (int[] Bounds, int[] Weights, int KSize) Coefficients(int inSize, int outSize, ResampleFilter filter)
    {
        double baseSupport = filter == ResampleFilter.Bicubic ? 2.0 : 1.0;
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = baseSupport * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;

        var bounds = new int[outSize * 2];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            // Pillow truncates (center ± support + 0.5) toward zero; the clamps make the sign irrelevant.
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Kernel(filter, ((x + xmin) - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
            {
                double normalised = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = normalised < 0
                    ? (int)(-0.5 + normalised * (1 << PrecisionBits))
                    : (int)(0.5 + normalised * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (bounds, weights, ksize);
    }

    private static double Kernel(ResampleFilter filter, double x)
    {
        if (x < 0.0) x = -x;
        if (filter == ResampleFilter.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        // Keys cubic, a = -0.5, written in Pillow's operation order so the doubles round identically.
        const double a = -0.5;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static byte Clip8(int sum)
    {
        int v = sum >> PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    // Rows are independent, so both passes run rows in parallel; the integer sums make the result order-free.
    private static byte[] Horizontal(byte[] src, int inWidth, int height, int channels, int outWidth,
        int[] bounds, int[] weights, int ksize)
    {
        var dst = new byte[outWidth * height * channels];
        int inRow = inWidth * channels, outRow = outWidth * channels;
        Parallel.For(0, height, y =>
        {
            Span<int> sums = stackalloc int[4];
            int rowIn = y * inRow, rowOut = y * outRow;
            for (int xx = 0; xx < outWidth; xx++)
            {
                int xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1], k = xx * ksize;
                sums.Fill(1 << (PrecisionBits - 1));
                int s = rowIn + xmin * channels;
                for (int x = 0; x < xmax; x++, s += channels)
                {
                    int w = weights[k + x];
                    for (int c = 0; c < channels; c++) sums[c] += src[s + c] * w;
                }
                for (int c = 0; c < channels; c++) dst[rowOut + xx * channels + c] = Clip8(sums[c]);
            }
        });
        return dst;
    }

    private static byte[] Vertical(byte[] src, int width, int channels, int outHeight,
        int[] bounds, int[] weights, int ksize)
    {
        int row = width * channels;
        var dst = new byte[row * outHeight];
        Parallel.For(0, outHeight, () => new int[row], (yy, _, sums) =>
        {
            int ymin = bounds[yy * 2], ymax = bounds[yy * 2 + 1], k = yy * ksize;
            Array.Fill(sums, 1 << (PrecisionBits - 1));
            for (int y = 0; y < ymax; y++)
            {
                int w = weights[k + y];
                ReadOnlySpan<byte> line = src.AsSpan((ymin + y) * row, row);
                for (int i = 0; i < row; i++) sums[i] += line[i] * w;
            }
            Span<byte> target = dst.AsSpan(yy * row, row);
            for (int i = 0; i < row; i++) target[i] = Clip8(sums[i]);
            return sums;
        }, _ => { });
        return dst;
    }

    /// <summary>
    /// Pillow's NEAREST resize (<c>ImagingScaleAffine</c>): source coordinate = (int)(scale·0.5 + i·scale), the
    /// position accumulated by repeated addition exactly as Pillow does; positions outside the source stay 0.
    /// </summary>
    private static byte[] Nearest(byte[] src, int inWidth, int inHeight, int channels, int outWidth, int outHeight)
    {
        int[] xs = NearestIndices(inWidth, outWidth);
        int[] ys = NearestIndices(inHeight, outHeight);
        var dst = new byte[outWidth * outHeight * channels];
        for (int y = 0; y < outHeight; y++)
        {
            if (ys[y] < 0) continue;
            for (int x = 0; x < outWidth; x++)
            {
                if (xs[x] < 0) continue;
                Array.Copy(src, (ys[y] * inWidth + xs[x]) * channels, dst, (y * outWidth + x) * channels, channels);
            }
        }
        return dst;
    }

    private static int[] NearestIndices(int inSize, int outSize)
    {
        double step = (double)inSize / outSize;
        double pos = step * 0.5;
        var indices = new int[outSize];
        for (int i = 0; i < outSize; i++)
        {
            int index = pos < 0.0 ? -1 : (int)pos;
            indices[i] = index < inSize ? index : -1;
            pos += step;
        }
        return indices;
    }
}
