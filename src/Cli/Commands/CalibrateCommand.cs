using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip calibrate</c>: writes the thresholds file (<see cref="DetectorThresholds"/>) that
/// <c>predict --thresholds</c> reads, for ONE class and one detector (the same backbone, adapter, references and
/// smoothing predict will run with), by <see cref="DetectorCalibration"/>: F1-optimal on a labelled dataset's test
/// split, or the <c>--quantile</c> of normal images' scores and map pixels.
/// </summary>
/// <remarks>
/// Unreadable normal images are skipped and reported, as predict does; a dataset is validated up front and any image
/// or mask that still fails to decode is fatal, because its label and mask would otherwise silently leave the set.
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
            "with --normals the class used in the prompts and banks (default \"object\"). Pass the same name to predict.";
        var detector = new DetectorArguments();
        var references = new ReferenceArguments(withBankFiles: false);
        var normals = new Option<string[]?>("--normals") { Description = "Normal images only (files, folders searched recursively, or globs): thresholds at --quantile of their scores and map pixels.", AllowMultipleArgumentsPerToken = true };
        var quantile = new Option<double>("--quantile") { Description = "With --normals: fraction of normal scores (and pixels) at or below the thresholds.", DefaultValueFactory = _ => 0.99 }.Between(0, 1);
        var outFile = new Option<string>("--out") { Description = "Thresholds JSON to write (for predict --thresholds).", Required = true };
        var cmd = new Command("calibrate", "Choose image and pixel thresholds for one class: F1-optimal on a labelled dataset's test split, or a quantile of normal images.")
        { normals, quantile, outFile };
        data.AddTo(cmd);
        detector.AddTo(cmd);
        references.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            bool Given(Option o) => r.GetResult(o) is { Implicit: false };
            bool labelled = r.GetValue(data.Dataset) is not null;
            if (labelled == Given(normals))
                throw new ArgumentException("give either --dataset with --data-path (F1-optimal from labelled data) or --normals (quantile of normal images)");
            if (labelled && r.GetValue(data.DataPath) is null) throw new ArgumentException("--dataset needs --data-path");
            if (!labelled && (Given(data.DataPath) || Given(data.Discover))) throw new ArgumentException("--data-path and --discover-classes go with --dataset");
            if (labelled && Given(quantile)) throw new ArgumentException("--quantile applies to --normals only (a dataset is calibrated F1-optimally)");
            double q = r.GetValue(quantile);
            var outPath = OutputPaths.File("--out", r.GetValue(outFile)!);
            var names = data.ClassFilter(r) ?? [];
            if (names.Length > 1) throw new ArgumentException($"--class-name: thresholds are per class, calibrate one class per call (got {string.Join(", ", names)})");

            // Inputs are checked before the model is loaded, so mistakes fail fast.
            var dataset = labelled ? data.Load(r) : null;
            var cls = dataset is null ? names.FirstOrDefault() : OneClass(dataset, names.FirstOrDefault());
            var normalFiles = dataset is null ? InputFiles.Expand(r.GetValue(normals) ?? []) : [];
            var chosen = references.Validate(r);

            using var session = detector.Open(r, references.FewShot(r));
            session.FixClasses([cls]);
            if (session.FewShot is { } fewShot) references.AddBank(r, fewShot, chosen, cls);
            int skipped = 0;
            var progress = FileBatches.Bar("calibrate");
            var thresholds = dataset is not null
                ? DetectorCalibration.Labelled(session.Detector, dataset.Test[cls!].Select(s => new LabelledImage(s.ImagePath, s.IsAnomaly, s.MaskPath)).ToArray(), cls, progress)
                : DetectorCalibration.FromNormals(session.Detector, normalFiles, cls, q, e =>
                {
                    skipped++;
                    Console.Error.WriteLine($"skipped: {e.Message}");
                }, progress);
            var details = new Dictionary<string, string>(thresholds.Details);
            foreach (var (key, value) in session.Details) details.TryAdd(key, value);
            if (dataset is not null) details["dataset"] = dataset.Root;
            if (chosen is not null && !File.Exists(r.GetValue(references.Reference)!))
                (details["k"], details["seed"]) = (Text(r.GetValue(references.K)), Text(r.GetValue(references.Seed)));
            thresholds = thresholds with { Details = details };

            thresholds.Save(outPath);
            Console.WriteLine($"image threshold: {Format(thresholds.Image)}{F1Summary(details, "image")}");
            Console.WriteLine($"pixel threshold: {Format(thresholds.Pixel)}{F1Summary(details, "pixel")}");
            Console.WriteLine($"{thresholds.Method} thresholds → {outPath}");
            if (skipped == 0) return CliErrors.Success;
            Console.Error.WriteLine($"warning: {skipped} normal image(s) skipped (counted in {outPath} as skipped_images)");
            return CliErrors.Skipped;
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

    private static string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string Format(double? threshold) => threshold is double t ? Text(t) : "not calibrated";

    private static string F1Summary(IReadOnlyDictionary<string, string> details, string kind) =>
        details.TryGetValue(kind + "_f1", out var f1)
            ? $" (F1 {f1}, precision {details[kind + "_precision"]}, recall {details[kind + "_recall"]})"
            : details.TryGetValue(kind + "_note", out var note) ? $" ({note})" : "";
}
