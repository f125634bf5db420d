namespace AnomalyClip.Inference.Visualization;

/// <summary>
/// Bilinear resize of 8-bit interleaved images the way OpenCV's <c>cv2.resize(..., INTER_LINEAR)</c> does it for
/// <c>CV_8U</c>: half-pixel centres, edge replication, no antialiasing, 11-bit fixed-point weights.
/// </summary>
/// <remarks>
/// Weights come from float32 source positions rounded to multiples of 1/2048; the horizontal pass keeps exact
/// integer sums and the vertical pass uses OpenCV's SIMD rounding (<c>((b0·(s0≫4))≫16 + (b1·(s1≫4))≫16 + 2)≫2</c>).
/// Measured against OpenCV 4.6 on the golden test images: identical when shrinking; when enlarging (e.g. 100² → 518²)
/// about 0.1–0.3 % of the bytes differ by 1 grey level.
/// </remarks>
internal static class LinearResize
{
    private const float WeightScale = 2048f;

    /// <summary>Resizes a <paramref name="width"/>×<paramref name="height"/> image of <paramref name="channels"/> interleaved bytes per pixel.</summary>
    public static byte[] Resize(ReadOnlySpan<byte> src, int width, int height, int channels, int newWidth, int newHeight)
    {
        if (src.Length != (long)width * height * channels)
            throw new ArgumentException($"{src.Length} bytes for a {width}×{height}×{channels} image", nameof(src));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(newWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(newHeight);
        if (newWidth == width && newHeight == height) return src.ToArray();

        var (xIndex, xw0, xw1) = Taps(newWidth, width);
        var (yIndex, yw0, yw1) = Taps(newHeight, height);
        int rowLength = newWidth * channels;

        // Horizontal pass over every source row (fixed point, scale 2048).
        var rows = new int[height * rowLength];
        for (int y = 0; y < height; y++)
        {
            var line = src.Slice(y * width * channels, width * channels);
            var dst = rows.AsSpan(y * rowLength, rowLength);
            for (int x = 0; x < newWidth; x++)
            {
                int s0 = xIndex[x] * channels, s1 = Math.Min(xIndex[x] + 1, width - 1) * channels;
                for (int c = 0; c < channels; c++) dst[x * channels + c] = line[s0 + c] * xw0[x] + line[s1 + c] * xw1[x];
            }
        }

        var output = new byte[newHeight * rowLength];
        for (int y = 0; y < newHeight; y++)
        {
            var r0 = rows.AsSpan(yIndex[y] * rowLength, rowLength);
            var r1 = rows.AsSpan(Math.Min(yIndex[y] + 1, height - 1) * rowLength, rowLength);
            int b0 = yw0[y], b1 = yw1[y];
            var dst = output.AsSpan(y * rowLength, rowLength);
            for (int i = 0; i < rowLength; i++)
            {
                int v = (((b0 * (r0[i] >> 4)) >> 16) + ((b1 * (r1[i] >> 4)) >> 16) + 2) >> 2;
                dst[i] = (byte)Math.Clamp(v, 0, 255);
            }
        }
        return output;
    }

    // Source index and the two fixed-point weights of each destination coordinate.
    private static (int[] Index, int[] W0, int[] W1) Taps(int dst, int src)
    {
        double scale = 1.0 / ((double)dst / src);
        var index = new int[dst];
        var w0 = new int[dst];
        var w1 = new int[dst];
        for (int d = 0; d < dst; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int i = (int)MathF.Floor(f);
            f -= i;
            if (i < 0) (i, f) = (0, 0f);
            if (i >= src - 1) (i, f) = (src - 1, 0f);
            index[d] = i;
            w0[d] = (int)MathF.Round((1f - f) * WeightScale, MidpointRounding.ToEven);
            w1[d] = (int)MathF.Round(f * WeightScale, MidpointRounding.ToEven);
        }
        return (index, w0, w1);
    }
}
