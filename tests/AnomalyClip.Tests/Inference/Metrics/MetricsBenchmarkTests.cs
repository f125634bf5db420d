using AnomalyClip.Inference.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>Runs the metrics benchmark and prints its numbers; asserts only sanity, never time.</summary>
[Trait("Category", "Bench")]
public class MetricsBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public void OneFullSizeClass()
    {
        var r = MetricsBenchmark.Run();
        output.WriteLine($"{r.Pixels:N0} pixels ({r.PositivePixels:N0} positive, ≤{r.Regions} regions): " +
                         $"add {r.AddTime.TotalSeconds:F2} s, compute {r.ComputeTime.TotalSeconds:F2} s, " +
                         $"allocated add {r.AddAllocatedBytes / 1048576.0:F0} MiB / compute {r.ComputeAllocatedBytes / 1048576.0:F0} MiB, " +
                         $"peak working set {r.PeakWorkingSetBytes / 1048576.0:F0} MiB");
        output.WriteLine(r.Metrics.ToString());
        Assert.InRange(r.Metrics.PixelAuroc, 0.9, 1.0);
        Assert.InRange(r.Metrics.Aupro, 0.5, 1.0);
    }
}
