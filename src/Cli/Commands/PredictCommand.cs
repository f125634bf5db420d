using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.IO;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Training.Evaluation;
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
        var detector = new DetectorArguments();
        var references = new ReferenceArguments(withBankFiles: true);
        var inputs = new Argument<string[]>("inputs") { Description = "Image files, folders (searched recursively) or globs.", Arity = ArgumentArity.ZeroOrMore }.RejectingOptions();
        var tensors = new Option<string?>("--tensors") { Description = "safetensors file of preprocessed NCHW float32 images instead of image files." };
        var className = new Option<string?>("--class-name") { Description = "Object class: the prompts' object (clip) and the bank's class (default \"object\")." };
        var transductive = new Option<bool>("--transductive") { Description = "Few-shot: APRIL-GAN's score, min-max normalised over all inputs of a class (default: the per-image score)." };
        var thresholds = new Option<string?>("--thresholds") { Description = "Thresholds JSON (image and pixel); a value above a threshold is anomalous." };
        var imageThreshold = new Option<double?>("--image-threshold") { Description = "Image-score threshold (overrides --thresholds)." }.Finite();
        var pixelThreshold = new Option<double?>("--pixel-threshold") { Description = "Map threshold for masks (overrides --thresholds)." }.Finite();
        var outDir = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not write heatmap overlays." };
        var fixedScale = new Option<bool>("--fixed-scale") { Description = "Overlay colours on the detector's fixed map range instead of the paper's per-image min-max." };
        var originalSize = new Option<bool>("--original-size") { Description = "Overlays and masks at the source image size (default: model resolution, as the paper)." };
        var saveMaps = new Option<bool>("--save-maps") { Description = "Write maps.safetensors: one float32 [S,S] map per image, named by file stem." };
        var strict = new Option<bool>("--strict") { Description = "Stop at the first unreadable input (exit 2, nothing written) instead of skipping it (exit 3, listed in skipped.txt)." };
        var shardOption = ShardOption.Create("the image files sorted by full path");
        var cmd = new Command("predict", "Detect anomalies: APRIL-GAN zero-shot, or few-shot with --reference/--bank (clip or the offline resnet18).")
        {
            inputs, tensors, className, transductive, thresholds, imageThreshold, pixelThreshold, outDir, noOverlays, fixedScale, originalSize, saveMaps, strict, shardOption,
        };
        detector.AddTo(cmd);
        references.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var files = r.GetValue(tensors) is null ? InputFiles.Expand(r.GetValue(inputs) ?? []) : [];
            if (files.Count == 0 && r.GetValue(tensors) is null) throw new ArgumentException("give image files, folders or globs, or --tensors FILE");
            var shard = ShardOption.Parse(r, shardOption);
            if (shard is not null && r.GetValue(tensors) is not null) throw new ArgumentException("--shard splits image inputs, not --tensors");
            var cls = r.GetValue(className);
            var outPath = OutputPaths.Folder("--out", r.GetValue(outDir)!);
            var limits = Thresholds(r.GetValue(thresholds), r.GetValue(imageThreshold), r.GetValue(pixelThreshold));
            if (limits?.Details.TryGetValue("class", out var calibrated) == true && calibrated != (cls ?? "object"))
                Console.Error.WriteLine($"warning: the thresholds were calibrated for class '{calibrated}', predicting '{cls ?? "object"}'");
            var chosen = references.Validate(r);
            if (r.GetValue(transductive) && !references.FewShot(r)) throw new ArgumentException("--transductive is a few-shot score: give --reference or --bank");

            using var session = detector.Open(r, references.FewShot(r));
            session.FixClasses([cls]);
            if (session.FewShot is { } fewShot) references.AddBank(r, fewShot, chosen, cls);
            // From here on the folder is this run's: an earlier run's outputs go, and a failure removes our pictures.
            using var outputs = ClaimOutputs(outPath);
            if (session.FewShot is not null && chosen is not null) ReferenceArguments.WriteKShot(outPath, chosen);
            var model = session.Detector;
            var range = model.MapRange(cls);
            if (r.GetValue(fixedScale) && range is null) throw new ArgumentException("--fixed-scale: this detector's maps have no fixed range (uncalibrated bank)");
            using var writer = new PredictionWriter(outPath, limits, r.GetValue(saveMaps), !r.GetValue(noOverlays), r.GetValue(fixedScale) ? range : null, r.GetValue(originalSize));
            // Output names come from the whole input list, so a shard names its images as the unsharded run does.
            var stems = OutputNames.For(files, separator: '_');
            var mine = shard is { } part ? PredictShard.Part(files, part) : Enumerable.Range(0, files.Count).ToArray();
            var done = new List<PredictShardResult>();
            var skipped = new List<PredictShardSkip>();
            int processed = r.GetValue(tensors) is string tensorFile
                ? PredictTensors(tensorFile, cls, model, writer)
                : PredictFiles(files, stems, mine, cls, model, writer, done, skipped, r.GetValue(strict));
            if (processed == 0 && shard is null)
                throw new InvalidDataException(skipped.Count > 0 ? $"none of the {skipped.Count} input(s) could be read (reasons above)" : "the inputs hold no images");
            // A shard's CSV keeps the per-image scores: a transductive score needs every input of a class, so merge computes it.
            writer.Complete(r.GetValue(transductive) && shard is null);
            if (shard is { } finished)
            {
                new PredictShard
                {
                    Shard = finished,
                    InputsTotal = files.Count,
                    InputsFingerprint = PredictShard.FingerprintOf(files),
                    Settings = ShardSettings.Of(r, shardOption, outDir),
                    References = chosen,
                    Transductive = r.GetValue(transductive),
                    ImageThreshold = limits?.Image,
                    Maps = r.GetValue(saveMaps),
                    Inputs = mine,
                    Results = done,
                    Skipped = skipped,
                }.Write(outPath);
                outputs.Keep();
                Console.WriteLine($"shard {finished}: {processed} of {files.Count} image(s) → {Path.Combine(outPath, ShardManifest.FileName)} (combine the shards with `anomalyclip merge`)");
                // A shard that finished did its part, even if none of its files was readable (or it had none):
                // whether the run as a whole predicted nothing is for the merge to say.
                return 0;
            }
            outputs.Keep();
            Console.WriteLine($"{processed} image(s) → {Path.Combine(outPath, PredictionWriter.ResultsFile)}");
            if (skipped.Count == 0) return CliErrors.Success;
            Console.Error.WriteLine($"warning: {skipped.Count} input(s) skipped, listed in {Path.Combine(outPath, PredictionWriter.SkippedFile)}");
            return CliErrors.Skipped;
        }));
        return cmd;
    }

    /// <summary>Predicts the inputs <paramref name="mine"/> of <paramref name="files"/>, recording each one's row or skip under its index in the run.</summary>
    private static int PredictFiles(IReadOnlyList<string> files, IReadOnlyList<string> stems, int[] mine, string? cls, AnomalyDetector detector, PredictionWriter writer,
        List<PredictShardResult> done, List<PredictShardSkip> skipped, bool strict)
    {
        var paths = mine.Select(i => files[i]).ToArray();
        var indexOf = mine.ToDictionary(i => Path.GetFullPath(files[i]), StringComparer.Ordinal);
        foreach (var p in FileBatches.Predict(detector, paths, cls, "predict", strict ? null : ex =>
        {
            writer.Skip(ex.FilePath, ex.Message);
            skipped.Add(new PredictShardSkip(indexOf[Path.GetFullPath(ex.FilePath)], ex.FilePath, ex.Message));
        }))
            done.Add(new PredictShardResult(mine[p.Index], writer.Add(stems[mine[p.Index]], p.Result, p.Image)));
        return done.Count;
    }

    private static int PredictTensors(string path, string? cls, AnomalyDetector detector, PredictionWriter writer)
    {
        var inputs = SafeTensors.Load(path);
        try
        {
            int processed = 0;
            foreach (var (name, t) in inputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                using var scope = NewDisposeScope();
                var batch = t.dim() == 3 ? t.unsqueeze(0) : t;
                if (batch.dim() != 4 || batch.shape[1] != 3 || batch.shape[2] != detector.MapSize || batch.shape[3] != detector.MapSize)
                    throw new ArgumentException($"{path}: tensor '{name}' is [{string.Join(",", t.shape)}], expected [3,S,S] or [N,3,S,S] with S = {detector.MapSize}");
                var classes = Enumerable.Repeat(cls, (int)batch.shape[0]).ToArray();
                var names = Enumerable.Range(0, (int)batch.shape[0]).Select(i => batch.shape[0] == 1 && t.dim() == 3 ? name : $"{name}.{i}").ToArray();
                var results = detector.PredictTensor(batch.to_type(ScalarType.Float32).to(detector.Device), classes, names);
                for (int i = 0; i < results.Count; i++) writer.Add(names[i], results[i], null);
                processed += results.Count;
            }
            return processed;
        }
        finally
        {
            foreach (var t in inputs.Values) t.Dispose();
        }
    }

    /// <summary>The result files a predict run writes into its folder (the pictures are <see cref="PredictMerge.PictureFolders"/>).</summary>
    private static readonly string[] OutputFiles =
        [PredictionWriter.ResultsFile, PredictionWriter.SkippedFile, PredictionWriter.MapsFile, FewShotReferences.FileName, ShardManifest.FileName];

    /// <summary>The folder's predict outputs (results, maps, pictures), owned from now by this run (<see cref="RunOutputs"/>).</summary>
    internal static RunOutputs ClaimOutputs(string outDir) => new(outDir, OutputFiles, PredictMerge.PictureFolders);

    private static DetectorThresholds? Thresholds(string? file, double? image, double? pixel)
    {
        var loaded = file is null ? null : DetectorThresholds.Load(file);
        if (image is null && pixel is null) return loaded;
        return new DetectorThresholds { Image = image ?? loaded?.Image, Pixel = pixel ?? loaded?.Pixel, Method = "command line" };
    }
}
