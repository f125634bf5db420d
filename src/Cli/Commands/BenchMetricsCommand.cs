using System.CommandLine;
using System.Text.Json;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Cli.Commands;

/// <summary><c>anomalyclip bench metrics</c>: times the paper's metrics on one synthetic class of realistic size.</summary>
internal static class BenchMetricsCommand
{
    public static Command Build()
    {
        var images = new Option<int>("--images") { Description = "Maps in the class.", DefaultValueFactory = _ => 200 }.Between(1, 100000);
        var size = new Option<int>("--size") { Description = "Map side in pixels.", DefaultValueFactory = _ => 518 }.Between(1, 4096);
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("metrics", "Time to add and compute pixel/image AUROC, AP, F1-max and both AUPROs for one class (200 maps of 518² by default).") { images, size, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var m = MetricsBenchmark.Run(r.GetValue(images), r.GetValue(size));
            var report = new
            {
                pixels = m.Pixels,
                positive_pixels = m.PositivePixels,
                add_seconds = m.AddTime.TotalSeconds,
                compute_seconds = m.ComputeTime.TotalSeconds,
                peak_memory_mib = ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0),
                pixel_auroc = m.Metrics.PixelAuroc,
                aupro = m.Metrics.Aupro,
            };
            if (r.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, BenchJson.Options));
            else Console.WriteLine($"{m.Pixels:N0} pixels: add {m.AddTime.TotalSeconds:F2} s, compute {m.ComputeTime.TotalSeconds:F2} s, peak resident memory {report.peak_memory_mib:F0} MiB (pixel AUROC {m.Metrics.PixelAuroc:F4}, AUPRO {m.Metrics.Aupro:F4})");
            return 0;
        }));
        return cmd;
    }
}
