namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Connected components of a binary mask with 8-connectivity (pixels touching at a corner are one region), as
/// <c>skimage.measure.label</c> does by default on 2-D masks.
/// </summary>
internal static class ConnectedRegions
{
    /// <summary>
    /// Labels the nonzero pixels of a row-major <paramref name="height"/>×<paramref name="width"/> mask: on return
    /// <paramref name="labels"/> holds 0 for background and 1..count for regions, numbered in raster order of
    /// their first pixel. <paramref name="areas"/> receives the pixel count of each region in label order.
    /// </summary>
    /// <param name="mask">Mask pixels; nonzero = defect.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="labels">Output, one entry per pixel.</param>
    /// <param name="stack">Scratch of at least one entry per pixel (flood-fill stack).</param>
    /// <param name="areas">Cleared, then filled with one area per region.</param>
    /// <returns>The number of regions.</returns>
    public static int Label(ReadOnlySpan<byte> mask, int height, int width, Span<int> labels, Span<int> stack, List<int> areas)
    {
        int n = height * width;
        labels[..n].Clear();
        areas.Clear();
        int count = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (mask[seed] == 0 || labels[seed] != 0) continue;
            int label = ++count;
            int area = 0, top = 0;
            labels[seed] = label;
            stack[top++] = seed;
            while (top > 0)
            {
                int p = stack[--top];
                area++;
                int y = p / width, x = p - y * width;
                int y0 = Math.Max(y - 1, 0), y1 = Math.Min(y + 1, height - 1);
                int x0 = Math.Max(x - 1, 0), x1 = Math.Min(x + 1, width - 1);
                for (int yy = y0; yy <= y1; yy++)
                    for (int q = yy * width + x0, qEnd = yy * width + x1; q <= qEnd; q++)
                        if (mask[q] != 0 && labels[q] == 0)
                        {
                            labels[q] = label;
                            stack[top++] = q;
                        }
            }
            areas.Add(area);
        }
        return count;
    }
}
