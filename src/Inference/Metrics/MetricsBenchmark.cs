using System.Diagnostics;

namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Times <see cref="ClassMetricsAccumulator"/> on one synthetic class shaped like a real one (for
/// <c>anomalyclip bench metrics</c>): half the images anomalous with a few elliptic defects, maps with
/// per-pixel noise (almost every score distinct, the hardest case for the sort) raised inside the defects.
/// </summary>
internal static class MetricsBenchmark
{
    /// <summary>What one run measured.</summary>
    /// <param name="Pixels">Pixels pooled.</param>
    /// <param name="PositivePixels">GT-positive pixels among them.</param>
    /// <param name="Regions">Defect blobs drawn (overlapping blobs merge into one region, so an upper bound on regions).</param>
    /// <param name="AddTime">Wall time of all <c>Add</c> calls (map generation excluded).</param>
    /// <param name="ComputeTime">Wall time of <c>Compute</c>.</param>
    /// <param name="AddAllocatedBytes">Managed bytes allocated by the <c>Add</c> calls.</param>
    /// <param name="ComputeAllocatedBytes">Managed bytes allocated by <c>Compute</c>.</param>
    /// <param name="PeakWorkingSetBytes">Peak working set of the whole process so far.</param>
    /// <param name="Metrics">The result, to show it is sane.</param>
    public sealed record Result(long Pixels, long PositivePixels, int Regions, TimeSpan AddTime, TimeSpan ComputeTime,
                                long AddAllocatedBytes, long ComputeAllocatedBytes, long PeakWorkingSetBytes, ClassMetrics Metrics);

    /// <summary>Runs one class of <paramref name="images"/> maps of <paramref name="size"/>² pixels.</summary>
    public static Result Run(int images = 200, int size = 518, int seed = 1)
    {
        var rng = new Random(seed);
        var map = new float[size * size];
        var mask = new byte[size * size];
        var acc = new ClassMetricsAccumulator("bench", (long)images * size * size);
        var addTime = TimeSpan.Zero;
        long addAllocated = 0, positives = 0;
        int regions = 0;
        for (int img = 0; img < images; img++)
        {
            bool anomalous = img % 2 == 1;
            Array.Clear(mask);
            int blobs = anomalous ? 1 + rng.Next(3) : 0;
            for (int b = 0; b < blobs; b++) DrawEllipse(mask, size, rng);
            for (int i = 0; i < map.Length; i++)
                map[i] = 0.4f * rng.NextSingle() + (mask[i] != 0 ? 0.3f + 0.3f * rng.NextSingle() : 0f);
            foreach (byte m in mask) if (m != 0) positives++;

            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            acc.Add(map, mask, size, size, anomalous, (anomalous ? 0.3 : 0) + rng.NextDouble());
            addTime += Stopwatch.GetElapsedTime(start);
            addAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
            regions += blobs;
        }

        long computeBefore = GC.GetAllocatedBytesForCurrentThread();
        long computeStart = Stopwatch.GetTimestamp();
        var metrics = acc.Compute();
        var computeTime = Stopwatch.GetElapsedTime(computeStart);
        long computeAllocated = GC.GetAllocatedBytesForCurrentThread() - computeBefore;
        using var process = Process.GetCurrentProcess();
        return new Result((long)images * size * size, positives, regions, addTime, computeTime, addAllocated,
                          computeAllocated, process.PeakWorkingSet64, metrics);
    }

    private static void DrawEllipse(byte[] mask, int size, Random rng)
    {
        double cy = rng.Next(size), cx = rng.Next(size);
        double ry = 5 + rng.Next(size / 10), rx = 5 + rng.Next(size / 10);
        for (int y = Math.Max(0, (int)(cy - ry)); y <= Math.Min(size - 1, (int)(cy + ry)); y++)
            for (int x = Math.Max(0, (int)(cx - rx)); x <= Math.Min(size - 1, (int)(cx + rx)); x++)
            {
                double dy = (y - cy) / ry, dx = (x - cx) / rx;
                if (dy * dy + dx * dx <= 1) mask[y * size + x] = 1;
            }
    }
}
