using System.CommandLine;
using System.Globalization;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip calibrate</c>: writes the thresholds file (<see cref="DetectorThresholds"/>) that
/// <c>predict --thresholds</c> reads, for ONE class and one detector (the same adapter, references and smoothing
/// predict will run with). From a labelled dataset: the F1-optimal image and pixel thresholds over the class's test
/// split (<see cref="ThresholdCalibration.F1Optimal"/>, <see cref="ThresholdCalibration.F1OptimalPixels"/>). From
/// normal images only: the <c>--quantile</c> of their scores and of their map pixels.
/// </summary>
/// <remarks>
/// The image score is the one predict labels with (<see cref="AnomalyResult.Score"/>: zero-shot the text probability,
/// few-shot the per-image score); predict's <c>--transductive</c> score depends on the set of inputs scored together,
/// so no fixed threshold fits it. A calibration image that is also a few-shot reference is left out (its memory-bank
/// distance to itself is zero) and the count is reported. Unreadable normal images are skipped and reported, as
/// predict does; a dataset is validated up front and any image or mask that still fails to decode is fatal, because
/// its label and mask would otherwise silently leave the calibration set.
/// </remarks>
internal static class CalibrateCommand
{
    public static Command Build()
    {
        var data = new DatasetArguments();
        // Optional here: the normals mode needs no dataset; which mode is given is checked by hand.
        data.Dataset.Required = false;
        data.DataPath.Required = false;
        data.Classes.Description = "The class: with --dataset the one class to calibrate (may be omitted when the dataset has only one); " +
            "with --normals the class used in the prompts (default \"object\"). Pass the same name to predict.";
        var model = new ModelArguments();
        var normals = new Option<string[]?>("--normals") { Description = "Normal images only (files, folders searched recursively, or globs): thresholds at --quantile of their scores and map pixels.", AllowMultipleArgumentsPerToken = true };
        var quantile = new Option<double>("--quantile") { Description = "With --normals: fraction of normal scores (and pixels) at or below the thresholds.", DefaultValueFactory = _ => 0.99 };
        var reference = new Option<string?>("--reference") { Description = "Few-shot: folder of normal reference images, or a list file (one path per line); use the same with predict." };
        var k = new Option<int>("--k") { Description = "Few-shot: references sampled from a --reference folder.", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Few-shot: seed of the reference sampling.", DefaultValueFactory = _ => 42 };
        var batch = new Option<int>("--batch-size") { Description = "Images per encoder pass.", DefaultValueFactory = _ => 1 };
        var sigma = new Option<double>("--smoothing") { Description = "Gaussian smoothing sigma in pixels (0 = off, the paper); use the same with predict.", DefaultValueFactory = _ => 0 };
        var outFile = new Option<string>("--out") { Description = "Thresholds JSON to write (for predict --thresholds).", Required = true };
        var cmd = new Command("calibrate", "Choose image and pixel thresholds for one class: F1-optimal on a labelled dataset's test split, or a quantile of normal images.")
        { normals, quantile, reference, k, seed, batch, sigma, outFile };
        data.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            bool Given(Option o) => r.GetResult(o) is { Implicit: false };
            bool labelled = r.GetValue(data.Dataset) is not null;
            if (labelled == Given(normals))
                throw new ArgumentException("give either --dataset with --data-path (F1-optimal from labelled data) or --normals (quantile of normal images)");
            if (labelled && r.GetValue(data.DataPath) is null) throw new ArgumentException("--dataset needs --data-path");
            if (!labelled && (Given(data.DataPath) || Given(data.Discover))) throw new ArgumentException("--data-path and --discover-classes go with --dataset");
            if (labelled && Given(quantile)) throw new ArgumentException("--quantile applies to --normals only (a dataset is calibrated F1-optimally)");
            if (r.GetValue(reference) is null && (Given(k) || Given(seed))) throw new ArgumentException("--k and --seed go with --reference");
            if (r.GetValue(batch) < 1) throw new ArgumentException("--batch-size must be at least 1");
            double q = r.GetValue(quantile);
            if (!(q >= 0 && q <= 1)) throw new ArgumentException($"--quantile must be in [0, 1], got {q}");
            var names = data.ClassFilter(r) ?? [];
            if (names.Length > 1) throw new ArgumentException($"--class-name: thresholds are per class, calibrate one class per call (got {string.Join(", ", names)})");

            // Inputs are checked before the model is loaded, so mistakes fail fast.
            var dataset = labelled ? data.Load(r) : null;
            var cls = dataset is null ? names.FirstOrDefault() : OneClass(dataset, names.FirstOrDefault());
            var normalFiles = dataset is null ? InputFiles.Expand(r.GetValue(normals) ?? []) : [];
            var references = r.GetValue(reference) is string refs ? ReferenceImages.Select(refs, r.GetValue(k), r.GetValue(seed)) : null;

            using var clip = model.LoadClipForAdapter(r, model.NativeAdapterMetadata(r));
            using var adapter = model.LoadAdapter(r, clip);
            var options = AprilGanOptions.Paper with { BatchSize = r.GetValue(batch), SmoothingSigma = r.GetValue(sigma) };
            using var zeroShot = ZeroShotDetector.Create(clip, adapter, ModelArguments.Tokenizer(clip), options);
            using var fewShot = references is null ? null : FewShotDetector.Create(zeroShot, references, cls);
            var run = new Calibration(zeroShot, fewShot, cls, references);

            var details = new Dictionary<string, string>
            {
                ["class"] = cls ?? AnomalyClip.Adapter.Prompts.ClassNames.DefaultObject,
                ["adapter"] = Path.GetFullPath(r.GetValue(model.Adapter)!),
                ["model"] = r.GetValue(model.ModelDir) ?? r.GetValue(model.Model) ?? clip.Config.Name,
                ["image_size"] = Text(zeroShot.ImageSize),
                ["mode"] = fewShot is null ? "zero-shot" : "few-shot",
                ["image_score"] = fewShot is null ? "text probability" : "few-shot per-image score",
                ["smoothing"] = Text(options.SmoothingSigma),
            };
            if (references is not null)
            {
                details["references"] = string.Join('\n', references.Select(Path.GetFullPath));
                if (!File.Exists(r.GetValue(reference)!)) (details["k"], details["seed"]) = (Text(r.GetValue(k)), Text(r.GetValue(seed)));
            }
            var thresholds = dataset is not null ? run.Labelled(dataset, cls!, details) : run.FromNormals(normalFiles, q, details);

            var outPath = r.GetValue(outFile)!;
            thresholds.Save(outPath);
            Console.WriteLine($"image threshold: {Format(thresholds.Image)}{F1Summary(details, "image")}");
            Console.WriteLine($"pixel threshold: {Format(thresholds.Pixel)}{F1Summary(details, "pixel")}");
            Console.WriteLine($"{thresholds.Method} thresholds → {outPath}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The class to calibrate: the one named, or the dataset's only class.</summary>
    private static string OneClass(AnomalyDataset dataset, string? named)
    {
        if (named is null)
        {
            if (dataset.ClassNames.Count == 1) return dataset.ClassNames[0];
            throw new ArgumentException($"thresholds are per class: give --class-name with one of {string.Join(", ", dataset.ClassNames)} ({dataset.Root})");
        }
        if (!dataset.ClassNames.Contains(named, StringComparer.Ordinal))
            throw new ArgumentException($"--class-name: '{named}' is not a class of {dataset.Root} (classes: {string.Join(", ", dataset.ClassNames)})");
        return named;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(double? threshold) => threshold is double t ? Text(t) : "not calibrated";

    private static string F1Summary(IReadOnlyDictionary<string, string> details, string kind) =>
        details.TryGetValue(kind + "_f1", out var f1)
            ? $" (F1 {f1}, precision {details[kind + "_precision"]}, recall {details[kind + "_recall"]})"
            : details.TryGetValue(kind + "_note", out var note) ? $" ({note})" : "";

    /// <summary>Scores calibration images with one detector and turns them into thresholds.</summary>
    private sealed class Calibration(ZeroShotDetector zeroShot, FewShotDetector? fewShot, string? cls, IReadOnlyList<string>? references)
    {
        private readonly HashSet<string> _references = references?.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal) ?? [];

        public DetectorThresholds Labelled(AnomalyDataset dataset, string className, Dictionary<string, string> details)
        {
            var all = dataset.Test[className];
            var samples = all.Where(s => !_references.Contains(Path.GetFullPath(s.ImagePath))).ToArray();
            if (samples.Length == 0)
                throw new ArgumentException($"class '{className}' of {dataset.Root} has no test images{Excluded(all.Count)}");
            int anomalous = samples.Count(s => s.IsAnomaly);
            if (anomalous == 0 || anomalous == samples.Length)
                throw new ArgumentException($"class '{className}' of {dataset.Root} has {anomalous} anomalous of {samples.Length} test images{Excluded(all.Count - samples.Length)}: " +
                    "F1-optimal calibration needs normal and anomalous images (use --normals for normal images only)");

            var results = Score(samples.Select(s => s.ImagePath).ToArray(), skipUnreadable: false, out _);
            var image = ThresholdCalibration.F1Optimal(results.Select(r => r.Score).ToArray(), samples.Select(s => s.IsAnomaly).ToArray());
            details["dataset"] = dataset.Root;
            details["images"] = Text(samples.Length);
            details["anomalous"] = Text(anomalous);
            details["excluded_references"] = Text(all.Count - samples.Length);
            Record(details, "image", image);

            double? pixel = null;
            var unmasked = samples.Count(s => s.IsAnomaly && s.MaskPath is null);
            if (unmasked > 0) details["pixel_note"] = $"not calibrated: {unmasked} anomalous image(s) have no mask";
            else
            {
                var masks = Masks(samples);
                if (masks.All(m => !m.Contains((byte)1)))
                    details["pixel_note"] = $"not calibrated: no defect pixel is left once the masks are resized to {zeroShot.ImageSize} px";
                else
                {
                    var best = ThresholdCalibration.F1OptimalPixels(results.Select(r => r.Map).ToArray(), masks);
                    Record(details, "pixel", best);
                    pixel = best.Threshold;
                }
            }
            return new DetectorThresholds { Image = image.Threshold, Pixel = pixel, Method = "f1-optimal", Details = details };
        }

        public DetectorThresholds FromNormals(IReadOnlyList<string> files, double quantile, Dictionary<string, string> details)
        {
            var kept = files.Where(f => !_references.Contains(Path.GetFullPath(f))).ToArray();
            if (kept.Length == 0)
                throw new ArgumentException($"no normal image left to calibrate on{Excluded(files.Count)}; pass normals that are not references");
            var results = Score(kept, skipUnreadable: true, out int skipped);
            if (results.Count == 0) throw new ArgumentException($"none of the {kept.Length} normal image(s) could be read");
            var q = Text(quantile);
            details["quantile"] = q;
            details["images"] = Text(results.Count);
            details["skipped_images"] = Text(skipped);
            details["excluded_references"] = Text(files.Count - kept.Length);
            return new DetectorThresholds
            {
                Image = ThresholdCalibration.FromNormals(results.Select(r => r.Score).ToArray(), quantile),
                Pixel = ThresholdCalibration.FromNormalPixels(results.Select(r => r.Map).ToArray(), quantile),
                Method = "normal-quantile-" + q,
                Details = details,
            };
        }

        private string Excluded(int count) => count > 0 ? $" once {count} few-shot reference(s) are left out" : "";

        /// <summary>Predicts the files in batches, in order; unreadable ones are left out only when <paramref name="skipUnreadable"/>.</summary>
        private List<AnomalyResult> Score(IReadOnlyList<string> files, bool skipUnreadable, out int skipped)
        {
            var results = new List<AnomalyResult>(files.Count);
            int unreadable = 0;
            FileBatches.Predict(files, cls, zeroShot, fewShot, "calibrate", (_, result, _) => results.Add(result),
                skipUnreadable ? _ => unreadable++ : null);
            skipped = unreadable;
            return results;
        }

        /// <summary>APRIL-GAN's S×S 0/1 masks (all zeros for normal images), as the metrics use them.</summary>
        private byte[][] Masks(IReadOnlyList<AnomalySample> samples)
        {
            int size = zeroShot.ImageSize;
            var preprocessor = new MaskPreprocessor(size, zeroShot.Decoder);
            return samples.Select(s =>
            {
                return s.IsAnomaly ? preprocessor.ToPixels(zeroShot.Decoder.Decode(s.MaskPath!)) : new byte[size * size];
            }).ToArray();
        }

        private static void Record(Dictionary<string, string> details, string kind, F1Threshold best)
        {
            details[kind + "_f1"] = Text(best.F1);
            details[kind + "_precision"] = Text(best.Precision);
            details[kind + "_recall"] = Text(best.Recall);
        }
    }
}
