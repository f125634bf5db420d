using System.CommandLine;
using System.Globalization;
using System.Text;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip predict</c>: zero- or few-shot prediction over image files, folders or globs (or preprocessed
/// tensors), writing results.csv, overlays, masks (when a pixel threshold is known) and optionally the raw maps.
/// </summary>
internal static class PredictCommand
{
    public static Command Build()
    {
        var model = new ModelArguments();
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders (searched recursively) or globs.", Arity = ArgumentArity.ZeroOrMore };
        var tensors = new Option<string?>("--tensors") { Description = "safetensors file of preprocessed NCHW float32 images instead of image files." };
        var className = new Option<string?>("--class-name") { Description = "Object class used in the prompts (default \"object\")." };
        var reference = new Option<string?>("--reference") { Description = "Few-shot: folder of normal reference images, or a list file (one path per line, APRIL-GAN k_shot.txt)." };
        var k = new Option<int>("--k") { Description = "Few-shot: references sampled from a --reference folder.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Few-shot: seed of the reference sampling.", DefaultValueFactory = _ => 42 };
        var bank = new Option<string?>("--bank") { Description = "Few-shot: a saved memory bank instead of --reference." };
        var saveBank = new Option<string?>("--save-bank") { Description = "Few-shot: save the memory bank built from --reference." };
        var transductive = new Option<bool>("--transductive") { Description = "Few-shot: APRIL-GAN's score, min-max normalised over all inputs (default: the per-image score)." };
        var thresholds = new Option<string?>("--thresholds") { Description = "Thresholds JSON (image and pixel); a value above a threshold is anomalous." };
        var imageThreshold = new Option<double?>("--image-threshold") { Description = "Image-score threshold (overrides --thresholds)." };
        var pixelThreshold = new Option<double?>("--pixel-threshold") { Description = "Map threshold for masks (overrides --thresholds)." };
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not write heatmap overlays." };
        var fixedScale = new Option<bool>("--fixed-scale") { Description = "Overlay colours on a fixed scale (0..map range) instead of the paper's per-image min-max." };
        var originalSize = new Option<bool>("--original-size") { Description = "Overlays and masks at the source image size (default: model resolution, as the paper)." };
        var saveMaps = new Option<bool>("--save-maps") { Description = "Write maps.safetensors: one float32 [S,S] map per image, named by file stem." };
        var batch = new Option<int>("--batch-size") { Description = "Images per encoder pass.", DefaultValueFactory = _ => 1 };
        var sigma = new Option<double>("--smoothing") { Description = "Gaussian smoothing sigma in pixels (0 = off, the paper).", DefaultValueFactory = _ => 0 };
        var cmd = new Command("predict", "Detect anomalies (APRIL-GAN zero-shot, or few-shot with --reference/--bank).")
        {
            inputs, tensors, className, reference, k, seed, bank, saveBank, transductive, thresholds, imageThreshold, pixelThreshold,
            outDir, noOverlays, fixedScale, originalSize, saveMaps, batch, sigma,
        };
        model.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var files = r.GetValue(tensors) is null ? InputFiles.Expand(r.GetValue(inputs) ?? []) : [];
            if (files.Count == 0 && r.GetValue(tensors) is null) throw new ArgumentException("give image files, folders or globs, or --tensors FILE");
            var cls = r.GetValue(className);
            var limits = Thresholds(r.GetValue(thresholds), r.GetValue(imageThreshold), r.GetValue(pixelThreshold));
            if (limits?.Details.TryGetValue("class", out var calibrated) == true && calibrated != (cls ?? "object"))
                Console.Error.WriteLine($"warning: the thresholds were calibrated for class '{calibrated}', predicting '{cls ?? "object"}'");
            var outPath = r.GetValue(outDir)!;
            Directory.CreateDirectory(outPath);

            using var clip = model.LoadClipForAdapter(r, model.NativeAdapterMetadata(r));
            using var adapter = model.LoadAdapter(r, clip);
            var options = AprilGanOptions.Paper with { BatchSize = Math.Max(1, r.GetValue(batch)), SmoothingSigma = r.GetValue(sigma) };
            using var zeroShot = ZeroShotDetector.Create(clip, adapter, options: options);
            using var fewShot = FewShot(r, zeroShot, cls, reference, k, seed, bank, saveBank, outPath);

            using var writer = new PredictionWriter(outPath, limits, r.GetValue(saveMaps), !r.GetValue(noOverlays), r.GetValue(fixedScale), r.GetValue(originalSize),
                zeroShot.Adapter.Metadata.Taps.Count * (fewShot is null ? 1 : 3));
            int processed = r.GetValue(tensors) is string tensorFile
                ? PredictTensors(tensorFile, cls, zeroShot, fewShot, writer)
                : PredictFiles(files, cls, zeroShot, fewShot, writer);
            writer.Complete(fewShot is not null && r.GetValue(transductive));
            Console.WriteLine($"{processed} image(s) → {Path.Combine(outPath, PredictionWriter.ResultsFile)}");
            return processed > 0 ? 0 : CliErrors.BadInput;
        }));
        return cmd;
    }

    private static int PredictFiles(IReadOnlyList<string> files, string? cls, ZeroShotDetector zeroShot, FewShotDetector? fewShot, PredictionWriter writer)
    {
        var stems = OutputNames.For(files, separator: '_');
        int processed = 0;
        FileBatches.Predict(files, cls, zeroShot, fewShot, "predict",
            (i, result, image) => { writer.Add(stems[i], result, image); processed++; },
            ex => writer.Skip(ex.FilePath, ex.Message));
        return processed;
    }

    private static int PredictTensors(string path, string? cls, ZeroShotDetector zeroShot, FewShotDetector? fewShot, PredictionWriter writer)
    {
        var inputs = SafeTensors.Load(path);
        int processed = 0;
        foreach (var (name, t) in inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            using var scope = NewDisposeScope();
            var batch = t.dim() == 3 ? t.unsqueeze(0) : t;
            if (batch.dim() != 4 || batch.shape[1] != 3)
                throw new ArgumentException($"{path}: tensor '{name}' is [{string.Join(",", t.shape)}], expected [3,S,S] or [N,3,S,S]");
            var classes = Enumerable.Repeat(cls, (int)batch.shape[0]).ToArray();
            var names = Enumerable.Range(0, (int)batch.shape[0]).Select(i => batch.shape[0] == 1 && t.dim() == 3 ? name : $"{name}.{i}").ToArray();
            var results = fewShot?.PredictTensor(batch.to_type(ScalarType.Float32), classes, names) ?? zeroShot.PredictTensor(batch.to_type(ScalarType.Float32), classes, names);
            for (int i = 0; i < results.Count; i++) writer.Add(names[i], results[i], null);
            processed += results.Count;
        }
        foreach (var t in inputs.Values) t.Dispose();
        return processed;
    }

    private static FewShotDetector? FewShot(ParseResult r, ZeroShotDetector zeroShot, string? cls, Option<string?> reference, Option<int> k, Option<int> seed,
        Option<string?> bank, Option<string?> saveBank, string outPath)
    {
        if (r.GetValue(bank) is string bankPath) return FewShotDetector.Create(zeroShot, [MemoryBank.Load(bankPath, zeroShot.Clip.Device)]);
        if (r.GetValue(reference) is not string refs) return null;
        var chosen = ReferenceImages.Select(refs, r.GetValue(k), r.GetValue(seed));
        AtomicFile.WriteAllText(Path.Combine(outPath, "k_shot.txt"), string.Join('\n', chosen) + "\n");
        var detector = FewShotDetector.Create(zeroShot, chosen, cls);
        if (r.GetValue(saveBank) is string save) detector.Banks.Values.Single().Save(save);
        return detector;
    }

    private static DetectorThresholds? Thresholds(string? file, double? image, double? pixel)
    {
        var loaded = file is null ? null : DetectorThresholds.Load(file);
        if (image is null && pixel is null) return loaded;
        return new DetectorThresholds { Image = image ?? loaded?.Image, Pixel = pixel ?? loaded?.Pixel, Method = "command line" };
    }
}
