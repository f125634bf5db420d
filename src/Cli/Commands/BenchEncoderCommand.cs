using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary><c>anomalyclip bench encoder</c>: times the vision tower on random inputs.</summary>
internal static class BenchEncoderCommand
{
    public static Command Build()
    {
        var arch = new Option<string>("--arch") { Description = "Architecture (ViT-B-32, ViT-B-16, ViT-L-14, ViT-L-14-336).", DefaultValueFactory = _ => "ViT-L-14-336" };
        var size = new Option<int>("--image-size") { Description = "Input side in pixels.", DefaultValueFactory = _ => 518 }.Between(32, 4096);
        var random = new Option<bool>("--random-weights") { Description = "Use random weights (no weight files needed)." };
        var modelDir = new Option<string?>("--model-dir") { Description = "Model folder to load instead of random weights." };
        var iterations = new Option<int>("--iterations") { Description = "Timed forward passes.", DefaultValueFactory = _ => 5 }.Between(1, 10000);
        var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 }.Between(1, 1024);
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var dtype = DTypeOption.Create();
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var cmd = new Command("encoder", "Median time per image of the vision encoder (all blocks, pooled output), images/s, peak memory and GFLOP/s.")
        { arch, size, random, modelDir, iterations, batch, device, dtype, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dev = DeviceOption.Parse(r.GetValue(device)!);
            var options = new ClipLoadOptions(r.GetValue(size), DType: DTypeOption.Explicit(r.GetValue(dtype)!, dev));
            using var model = ModelArguments.LoadOrRandom(r.GetValue(modelDir), r.GetValue(arch)!, r.GetValue(random), options, dev);
            var precision = DTypeOption.Report(r.GetValue(dtype)!, model.Precision);
            var result = Measure(model, precision, r.GetValue(batch), r.GetValue(iterations));
            if (r.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
            else
            {
                Console.WriteLine($"encoder {result.Arch} @ {result.ImageSize}px, {result.Device}, {result.Dtype} ({result.DtypeChoice}), batch {result.Batch}, {result.Threads} threads");
                Console.WriteLine($"  CPU {BenchJson.CpuLine(result.CpuModel, result.CpuNativeBf16)}");
                Console.WriteLine($"  median {result.MedianMsPerImage:F1} ms/image   {result.ImagesPerSecond:F2} images/s   {result.GflopPerSecond:F1} GFLOP/s ({result.GflopPerImage:F1} GFLOP/image)");
                Console.WriteLine($"  peak resident memory {result.PeakMemoryMib:F0} MiB");
            }
            return 0;
        }));
        return cmd;
    }

    internal sealed record EncoderBench(string Arch, int ImageSize, string Device, string Dtype, string DtypeChoice, string CpuModel, bool CpuNativeBf16,
        int Batch, int Threads, int Iterations, double MedianMsPerImage, double ImagesPerSecond, double GflopPerImage, double GflopPerSecond, double PeakMemoryMib);

    internal static EncoderBench Measure(ClipModel model, ComputePrecision precision, int batch, int iterations)
    {
        if (batch < 1 || iterations < 1) throw new ArgumentException("--batch and --iterations must be at least 1");
        var taps = Enumerable.Range(1, model.Visual.Layers).Where(l => l % Math.Max(1, model.Visual.Layers / 4) == 0).ToArray();
        using var input = randn(batch, 3, model.ImageSize, model.ImageSize);
        var times = new List<double>();
        for (int i = 0; i <= iterations; i++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            using (var enc = model.EncodeImage(input, taps))
            {
                if (model.Device.type == DeviceType.CUDA) cuda.synchronize();
                _ = enc.Pooled!.to_type(ScalarType.Float32).sum().item<float>();
            }
            sw.Stop();
            if (i > 0) times.Add(sw.Elapsed.TotalMilliseconds / batch); // the first pass warms up kernels and allocators
        }
        times.Sort();
        double median = times[times.Count / 2];
        double gflop = EncoderFlops(model) / 1e9;
        return new EncoderBench(model.Config.Name, model.ImageSize, model.Device.ToString(), ComputePrecision.ShortName(model.DType), precision.Reason,
            CpuInfo.Current.Model, CpuInfo.Current.HasNativeBf16, batch, get_num_threads(), iterations, median, 1000.0 / median, gflop, gflop / (median / 1000.0),
            ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0));
    }

    /// <summary>Floating-point operations of one image through the vision tower (a multiply-add counts 2).</summary>
    internal static double EncoderFlops(ClipModel model)
    {
        var v = model.Config.Vision;
        double g2 = model.Visual.Grid * (double)model.Visual.Grid, l = g2 + 1, w = v.Width;
        double patch = 2 * g2 * 3 * v.PatchSize * v.PatchSize * w;
        double block = 2 * l * w * 3 * w + 2 * 2 * l * l * w + 2 * l * w * w + 2 * 2 * l * w * v.MlpWidth;
        return patch + v.Layers * block + 2 * w * model.Config.EmbedDim;
    }
}
