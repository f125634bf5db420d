using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary><c>anomalyclip bench predict</c>: times zero-shot and few-shot prediction end to end on random inputs.</summary>
internal static class BenchPredictCommand
{
    public static Command Build()
    {
        var arch = new Option<string>("--arch") { Description = "Architecture.", DefaultValueFactory = _ => "ViT-L-14-336" };
        var backbone = new Option<string>("--backbone") { Description = "clip (random ViT weights and adapter; zero- and few-shot) or resnet18 (the built-in ImageNet weights; few-shot).", DefaultValueFactory = _ => "clip" };
        var layers = new Option<string?>("--layers") { Description = "resnet18: layers (default layer1,layer2,layer3)." };
        var coreset = new Option<double?>("--coreset") { Description = "resnet18: coreset fraction of the bank (default 0.1, as the detector; 1 keeps all rows)." }.Between(0, 1, minExclusive: true);
        var augment = new Option<string?>("--augment") { Description = "resnet18: reference views: none, flips, rotations, all (default flips, as the detector)." };
        var size = new Option<int?>("--image-size") { Description = "Input side in pixels (default: 518 for clip, 224 for resnet18)." }.Between(32, 4096);
        var random = new Option<bool>("--random-weights") { Description = "Random CLIP and adapter weights (required: no weight files are read)." };
        var k = new Option<int>("--k") { Description = "Reference images in the few-shot memory bank.", DefaultValueFactory = _ => 4 }.Between(1, 10000);
        var iterations = new Option<int>("--iterations") { Description = "Timed predictions per mode.", DefaultValueFactory = _ => 3 }.Between(1, 10000);
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var dtype = DTypeOption.Create();
        var batch = new Option<int>("--batch") { Description = "Images per prediction call (times are per image).", DefaultValueFactory = _ => 1 }.Between(1, 1024);
        var json = new Option<bool>("--json") { Description = "Print JSON (keys zero_shot_ms, few_shot_ms, ...)." };
        var cmd = new Command("predict", "Median ms per image of zero-shot and few-shot prediction (decoding excluded; CLIP: paper taps, one encoder pass per image), and peak memory.")
        { backbone, arch, size, random, k, iterations, batch, device, dtype, json, layers, coreset, augment };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dev = DeviceOption.Parse(r.GetValue(device)!);
            if (r.GetValue(k) < 1 || r.GetValue(iterations) < 1) throw new ArgumentException("--k and --iterations must be at least 1");
            var result = r.GetValue(backbone)!.Trim().ToLowerInvariant() switch
            {
                DetectorArguments.ClipBackbone => r.GetValue(random)
                    ? Measure(r.GetValue(arch)!, r.GetValue(size) ?? 518, r.GetValue(k), r.GetValue(iterations), r.GetValue(batch), dev, r.GetValue(dtype)!)
                    : throw new ArgumentException("bench predict --backbone clip needs --random-weights"),
                DetectorArguments.ResNet18Backbone => MeasureResNet18(r.GetValue(size) ?? 224, r.GetValue(k), r.GetValue(iterations), r.GetValue(batch), dev,
                    r.GetValue(dtype)!,
                    DetectorArguments.CnnOptions(r.GetValue(layers)) with { CoresetFraction = r.GetValue(coreset) ?? CnnFewShotOptions.Default.CoresetFraction, Augmentation = DetectorArguments.AugmentationOr(r.GetValue(augment)) }),
                var other => throw new ArgumentException($"--backbone: unknown backbone '{other}' (clip, resnet18)"),
            };
            if (r.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
            else
            {
                Console.WriteLine($"predict {result.Arch} @ {result.ImageSize}px, {result.Device}, {result.Dtype} ({result.DtypeChoice}), batch {result.Batch}, {result.Threads} threads, layers {string.Join(",", result.Layers)}");
                Console.WriteLine($"  CPU {BenchJson.CpuLine(result.CpuModel, result.CpuNativeBf16)}");
                if (result.ZeroShotMs is double zs)
                {
                    Console.WriteLine($"  zero-shot {zs:F0} ms/image   few-shot (k={result.K}) {result.FewShotMs:F0} ms/image (+{(result.FewShotMs / zs - 1) * 100:F1}%)");
                    Console.WriteLine($"  zero-shot {result.ZeroShotGflop:F1} GFLOP/image at {result.ZeroShotGflopPerSecond:F1} GFLOP/s   few-shot {result.FewShotGflop:F1} GFLOP/image at {result.FewShotGflopPerSecond:F1} GFLOP/s");
                }
                else Console.WriteLine($"  few-shot (k={result.K}) {result.FewShotMs:F1} ms/image");
                Console.WriteLine($"  peak resident memory {result.PeakMemoryMib:F0} MiB");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// One bench predict figure set; <see cref="ZeroShotMs"/> and <see cref="FewShotMs"/> are median ms per image, the
    /// GFLOP figures (CLIP only) count the encoder, and for few-shot also the memory-bank search, per image.
    /// </summary>
    internal sealed record PredictBench(string Backbone, string Arch, int ImageSize, string Device, string Dtype, string DtypeChoice, string CpuModel, bool CpuNativeBf16,
        int Threads, string[] Layers, int K, int Batch, int Iterations, double? ZeroShotMs, double FewShotMs, double PeakMemoryMib,
        double? ZeroShotGflop = null, double? FewShotGflop = null)
    {
        /// <summary>GFLOP/s of zero-shot prediction (encoder FLOPs over its time).</summary>
        public double? ZeroShotGflopPerSecond => ZeroShotGflop / (ZeroShotMs / 1000);

        /// <summary>GFLOP/s of few-shot prediction (encoder and bank-search FLOPs over its time).</summary>
        public double? FewShotGflopPerSecond => FewShotGflop / (FewShotMs / 1000);
    }

    /// <summary>
    /// The offline ResNet-18 few-shot detector with <paramref name="options"/>: a bank built as for real references
    /// (views, coreset, calibration) from k random images, then one preprocessed image at a time.
    /// </summary>
    internal static PredictBench MeasureResNet18(int imageSize, int k, int iterations, int batch, Device device, string dtype, CnnFewShotOptions options)
    {
        using var detector = CnnFewShotDetector.Create(AnomalyClip.Backbones.Backbone.ResNet18(device, imageSize, dtype: DTypeOption.Explicit(dtype, device)), options);
        var precision = DTypeOption.Report(dtype, detector.Backbone.Precision);
        var random = new Random(0);
        var references = Enumerable.Range(0, k).Select(_ =>
        {
            var pixels = new byte[imageSize * imageSize * 3];
            random.NextBytes(pixels);
            return new DecodedImage(imageSize, imageSize, ImageMode.Rgb, pixels);
        }).ToArray();
        detector.AddBank(detector.BuildBank(references, references.Select((_, i) => $"random_{i}").ToArray(), null));
        using var image = randn(batch, 3, imageSize, imageSize, device: device) * 50;
        var classes = new string?[batch];
        double fs = Medians(iterations, () => detector.PredictTensor(image, classes))[0] / batch;
        return new PredictBench(DetectorArguments.ResNet18Backbone, detector.Backbone.Name, imageSize, device.ToString(), ComputePrecision.ShortName(precision.DType),
            precision.Reason, CpuInfo.Current.Model, CpuInfo.Current.HasNativeBf16, get_num_threads(),
            [.. detector.Features.LayerNames], k, batch, iterations, null, fs, ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0));
    }

    internal static PredictBench Measure(string arch, int imageSize, int k, int iterations, int batch, Device device, string dtype)
    {
        using var clip = ModelArguments.LoadOrRandom(null, arch, randomWeights: true, new ClipLoadOptions(imageSize, DType: DTypeOption.Explicit(dtype, device)), device);
        var config = clip.Config;
        var precision = DTypeOption.Report(dtype, clip.Precision);
        int layers = config.Vision.Layers;
        var taps = new[] { layers / 4, layers / 2, 3 * layers / 4, layers };
        using var adapter = AdapterWeights.CreateNew(new AdapterMetadata(config.Name, taps, imageSize, "gelu", config.Vision.Width, config.EmbedDim), device);
        // Random weights have no tokenizer: the text features are random unit columns, as real ones would be cached.
        using var zeroShot = ZeroShotDetector.Create(clip, adapter);
        using (var t = nn.functional.normalize(randn(config.EmbedDim, 2), dim: 0)) zeroShot.TextFeatures.Set(null, t);
        // As predict, test and serve do once their classes are known: the text tower is not needed any more.
        zeroShot.TextFeatures.ReleaseTextTower();

        // One reference per pass, as the detector builds a bank at its default batch size of 1.
        MemoryBank? bank = null;
        for (int i = 0; i < k; i++)
        {
            using var scope = NewDisposeScope();
            using var reference = randn(1, 3, imageSize, imageSize);
            using var enc = clip.EncodeImage(reference, taps, pooled: false);
            using var features = ClipPatchFeatureSource.FromEncoding(enc, taps);
            if (bank is null) bank = MemoryBank.FromFeatures("object", PatchMetric.Cosine, features, [$"random_{i}"], clip.DType);
            else bank.Extend(features, [$"random_{i}"]);
        }
        using var fewShot = FewShotDetector.Create(zeroShot, [bank!]);

        using var image = randn(batch, 3, imageSize, imageSize);
        var classes = new string?[batch];
        var medians = Medians(iterations, () => zeroShot.PredictTensor(image, classes), () => fewShot.PredictTensor(image, classes));
        double zs = medians[0] / batch, fs = medians[1] / batch;
        double encoder = BenchEncoderCommand.EncoderFlops(clip) / 1e9;
        // The exact search is one [patches × C] by [C × rows] GEMM per bank layer.
        double search = bank!.LayerNames.Sum(l => 2.0 * clip.Visual.Grid * clip.Visual.Grid * bank.RowCount(l) * config.Vision.Width) / 1e9;
        return new PredictBench(DetectorArguments.ClipBackbone, config.Name, imageSize, device.ToString(), ComputePrecision.ShortName(precision.DType), precision.Reason,
            CpuInfo.Current.Model, CpuInfo.Current.HasNativeBf16, get_num_threads(), taps.Select(ClipPatchFeatureSource.LayerName).ToArray(), k, batch, iterations, zs, fs,
            ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0), encoder, encoder + search);
    }

    /// <summary>
    /// Median ms of each of <paramref name="predictions"/> over <paramref name="iterations"/> rounds after one warm-up
    /// round. The predictions take turns within a round, in an order reversed every round, so that a slow spell of a
    /// shared machine weighs on all of them alike rather than on whichever ran last.
    /// </summary>
    private static double[] Medians(int iterations, params Action[] predictions)
    {
        var times = predictions.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round <= iterations; round++)
            for (int turn = 0; turn < predictions.Length; turn++)
            {
                int p = round % 2 == 0 ? turn : predictions.Length - 1 - turn;
                var sw = Stopwatch.StartNew();
                predictions[p]();
                if (round > 0) times[p].Add(sw.Elapsed.TotalMilliseconds);
            }
        return times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
    }
}
