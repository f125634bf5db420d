using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.Visualization;
using AnomalyClip.Reports;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip test</c>: APRIL-GAN's <c>test.py</c>: evaluates a detector on a dataset's test split (zero- or
/// few-shot; CLIP with an adapter, or few-shot with the offline ResNet-18), prints the paper's table and writes
/// results.md/csv/json, log.txt (and k_shot.txt) and per-image overlays (imgs/{class}/{defect}/{file}, the paper's
/// per-image JET blend) to <c>--out</c>. Defaults are those of the paper's <c>test_*.sh</c>.
/// </summary>
internal static class TestCommand
{
    /// <summary>The folder of the per-image overlays, imgs/{class}/{defect}/{file}.png (the paper's layout).</summary>
    public const string OverlayFolder = "imgs";

    /// <summary>The result files a test run (or one of its shards) writes into its folder; the overlays are under <see cref="OverlayFolder"/>.</summary>
    private static readonly string[] OutputFiles =
    [
        EvaluationResult.MarkdownFile, EvaluationResult.CsvFile, EvaluationResult.JsonFile, EvaluationResult.LogFile, FewShotReferences.FileName,
        EvaluationReport.FileName, ShardManifest.FileName, EvaluationShard.MapsFile,
    ];

    public static Command Build()
    {
        var data = new DatasetArguments();
        var detector = new DetectorArguments();
        var mode = new Option<string?>("--mode") { Description = "zero-shot or few-shot (default: zero-shot for clip; resnet18 is few-shot only)." };
        var k = new Option<int>("--k") { Description = "Few-shot: normal reference images picked per class from the train split.", DefaultValueFactory = _ => 4 }.Between(1, 10000);
        var seed = new Option<int>("--seed") { Description = "Few-shot: seed of the reference pick (see README \"Reference sampling\").", DefaultValueFactory = _ => 42 };
        var kShotFile = new Option<string?>("--k-shot-file") { Description = "Few-shot: reference list in APRIL-GAN's k_shot.txt format (paths relative to --data-path) instead of --k/--seed." };
        var fewShotScore = new Option<FewShotImageScore>("--few-shot-score") { Description = "Few-shot image score: Transductive (the paper) or PerImage (the detector's own, calibrated on the references).", DefaultValueFactory = _ => FewShotImageScore.Transductive };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not write per-image overlays." };
        var output = new Option<string>("--out") { Description = "Folder for results.md, results.csv, results.json, log.txt, k_shot.txt and imgs/.", Required = true };
        var shardOption = ShardOption.Create("the run's test images (classes in order, each class's images in dataset order); no metrics, the per-image maps and scores instead");
        var cmd = new Command("test", "Evaluate a detector on a dataset's test split as APRIL-GAN's test.py does (per-class pixel/image AUROC, F1-max, AP, AUPRO).")
        { mode, k, seed, kShotFile, fewShotScore, noOverlays, output, shardOption };
        data.AddTo(cmd);
        detector.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var backbone = detector.BackboneOf(r);
            bool fewShot = (r.GetValue(mode)?.Trim().ToLowerInvariant() ?? (backbone == DetectorArguments.ClipBackbone ? "zero-shot" : "few-shot")) switch
            {
                "zero-shot" or "zero_shot" => false,
                "few-shot" or "few_shot" => true,
                var other => throw new ArgumentException($"--mode: unknown mode '{other}' (zero-shot, few-shot)"),
            };
            bool Given(Option o) => r.GetResult(o) is { Implicit: false };
            if (!fewShot && (Given(k) || Given(seed) || Given(kShotFile) || Given(fewShotScore)))
                throw new ArgumentException("--k, --seed, --k-shot-file and --few-shot-score apply to --mode few-shot only");
            if (Given(kShotFile) && (Given(k) || Given(seed))) throw new ArgumentException("--k-shot-file fixes the references: drop --k/--seed");

            var shard = ShardOption.Parse(r, shardOption);
            var outDir = OutputPaths.Folder("--out", r.GetValue(output)!);
            var dataset = data.Load(r);
            using var session = detector.Open(r, fewShot);
            session.FixClasses(dataset.ClassNames);
            // From here on the folder is this run's: an earlier run's outputs go, and a failure removes our overlays.
            using var outputs = ClaimOutputs(outDir);
            var settings = new Dictionary<string, string>(session.Details) { ["dataset_format"] = r.GetValue(data.Dataset)!.ToLowerInvariant() };
            if (fewShot) settings["few_shot_score"] = r.GetValue(fewShotScore).ToString();
            var options = new EvaluationOptions
            {
                Classes = data.ClassFilter(r),
                K = r.GetValue(k),
                Seed = r.GetValue(seed),
                KShotFile = r.GetValue(kShotFile),
                FewShotScore = r.GetValue(fewShotScore),
                Settings = settings,
            };
            if (shard is { } part)
            {
                var finished = CreateRun(session, dataset, options, outDir, !r.GetValue(noOverlays), fixedScale: false).RunShard(part, outDir);
                outputs.Keep();
                Console.WriteLine($"shard {part}: {finished.Images.Count} of {finished.ImagesTotal} test image(s) → {Path.Combine(Path.GetFullPath(outDir), ShardManifest.FileName)} (metrics: `anomalyclip merge`)");
                return 0;
            }
            var result = Evaluate(session, dataset, options, outDir, !r.GetValue(noOverlays));
            outputs.Keep();
            Console.Write(result.Metrics.ToMarkdown());
            Console.WriteLine($"results written to {Path.GetFullPath(outDir)}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>The folder's test outputs (results, report, overlays), owned from now by this run (<see cref="RunOutputs"/>).</summary>
    internal static RunOutputs ClaimOutputs(string outDir) => new(outDir, OutputFiles, [OverlayFolder]);

    /// <summary>Runs the evaluation with a progress bar and the paper's overlays, and writes every result file.</summary>
    /// <param name="fixedScale">Colour overlays on the detector's fixed map range where it has one (normal parts stay
    /// cold) instead of the paper's per-image min-max.</param>
    internal static EvaluationResult Evaluate(DetectorSession session, Training.Datasets.AnomalyDataset dataset, EvaluationOptions options, string outDir, bool overlays,
        bool fixedScale = false)
    {
        var evaluation = CreateRun(session, dataset, options, outDir, overlays, fixedScale).Run(outDir);
        WriteReport(evaluation, outDir, overlays);
        return evaluation;
    }

    /// <summary>The evaluation run with a progress bar and, when asked, the paper's overlay of each test image.</summary>
    private static EvaluationRun CreateRun(DetectorSession session, Training.Datasets.AnomalyDataset dataset, EvaluationOptions options, string outDir, bool overlays,
        bool fixedScale)
    {
        var bar = new TerminalProgress("test");
        var detector = session.Detector;
        return new EvaluationRun(detector, dataset, options)
        {
            Progress = new SyncProgress<EvaluationProgress>(p => bar.Report(p.ImagesDone, p.ImagesTotal, $"{p.ClassName} {p.ImageInClass}/{p.ImagesInClass}")),
            OnImage = !overlays ? null : (sample, result, image) =>
            {
                // The paper's overlay: image resized to the map, JET, 0.5 blend; per-image min-max unless a fixed scale is asked for.
                var range = fixedScale ? detector.MapRange(sample.ClassName) : null;
                var scale = range is { } r ? HeatmapScale.Fixed(r.Min, r.Max) : HeatmapScale.PerImage;
                using var overlay = HeatmapOverlay.Render(image, result, new HeatmapOverlayOptions { Scale = scale });
                overlay.SavePng(OverlayPath(outDir, sample.ClassName, sample.DefectType, sample.IsAnomaly, sample.ImagePath));
            },
        };
    }

    /// <summary>Where the overlay of a test image goes: imgs/{class}/{defect}/{stem}.png (the paper's layout).</summary>
    private static string OverlayPath(string outDir, string className, string defectType, bool isAnomaly, string imagePath)
    {
        var defect = defectType.Length > 0 ? defectType : (isAnomaly ? "Anomaly" : "Normal");
        return Path.Combine(outDir, OverlayFolder, className, defect, Path.GetFileNameWithoutExtension(imagePath) + ".png");
    }

    /// <summary>report.html beside the result files: the table, curves from the scores that entered the metrics, and the overlays.</summary>
    internal static void WriteReport(EvaluationResult evaluation, string outDir, bool overlays)
    {
        var classes = evaluation.Classes.Select(c => new ReportClass(c.ClassName, c.Metrics, c.Outcomes.Select(o => new ReportImage(o.RelativeImagePath, o.IsAnomalous, o.Score,
            overlays ? OverlayPath(outDir, c.ClassName, o.DefectType, o.IsAnomalous, o.RelativeImagePath) : null)).ToArray())).ToArray();
        var mode = evaluation.Settings.FirstOrDefault(kv => kv.Key == "mode").Value ?? "evaluation";
        var backbone = evaluation.Settings.FirstOrDefault(kv => kv.Key == "backbone").Value ?? "";
        var input = new ReportInput($"{backbone} {mode} on {Path.GetFileName(Path.TrimEndingDirectorySeparator(evaluation.Settings.First(kv => kv.Key == "dataset").Value))}".Trim(),
            evaluation.Settings, classes, evaluation.Metrics.Mean);
        EvaluationReport.Write(input, Path.Combine(outDir, EvaluationReport.FileName));
    }
}
