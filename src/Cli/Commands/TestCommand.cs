using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Visualization;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip test</c>: APRIL-GAN's <c>test.py</c>: evaluates an adapter on a dataset's test split (zero- or
/// few-shot), prints the paper's table and writes results.md/csv/json, log.txt (and k_shot.txt) and per-image
/// overlays (imgs/{class}/{defect}/{file}, the paper's per-image JET blend) to <c>--out</c>. Defaults are those of
/// the paper's <c>test_*.sh</c>.
/// </summary>
internal static class TestCommand
{
    public static Command Build()
    {
        var data = new DatasetArguments();
        var model = new ModelArguments();
        var mode = new Option<string>("--mode") { Description = "zero-shot or few-shot.", DefaultValueFactory = _ => "zero-shot" };
        var k = new Option<int>("--k") { Description = "Few-shot: normal reference images drawn per class from the train split (with replacement).", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Few-shot: seed of the reference draw (System.Random, not torch's stream).", DefaultValueFactory = _ => 42 };
        var kShotFile = new Option<string?>("--k-shot-file") { Description = "Few-shot: reference list in APRIL-GAN's k_shot.txt format (paths relative to --data-path) instead of --k/--seed." };
        var fewShotScore = new Option<FewShotImageScore>("--few-shot-score") { Description = "Few-shot image score: Transductive (the paper) or PerImage (calibrated on the references).", DefaultValueFactory = _ => FewShotImageScore.Transductive };
        var batch = new Option<int>("--batch-size") { Description = "Images per encoder pass.", DefaultValueFactory = _ => 1 };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not write per-image overlays." };
        var output = new Option<string>("--out") { Description = "Folder for results.md, results.csv, results.json, log.txt, k_shot.txt and imgs/.", Required = true };
        var cmd = new Command("test", "Evaluate an adapter on a dataset's test split as APRIL-GAN's test.py does (per-class pixel/image AUROC, F1-max, AP, AUPRO).")
        { mode, k, seed, kShotFile, fewShotScore, batch, noOverlays, output };
        data.AddTo(cmd);
        model.AddTo(cmd);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var evaluationMode = r.GetValue(mode)!.Trim().ToLowerInvariant() switch
            {
                "zero-shot" or "zero_shot" => EvaluationMode.ZeroShot,
                "few-shot" or "few_shot" => EvaluationMode.FewShot,
                var other => throw new ArgumentException($"--mode: unknown mode '{other}' (zero-shot, few-shot)"),
            };
            if (r.GetValue(batch) < 1) throw new ArgumentException("--batch-size must be at least 1");
            bool Given(Option o) => r.GetResult(o) is { Implicit: false };
            if (evaluationMode == EvaluationMode.ZeroShot && (Given(k) || Given(seed) || Given(kShotFile)))
                throw new ArgumentException("--k, --seed and --k-shot-file apply to --mode few-shot only");
            if (Given(kShotFile) && (Given(k) || Given(seed))) throw new ArgumentException("--k-shot-file fixes the references: drop --k/--seed");

            var dataset = data.Load(r);
            using var clip = model.LoadClipForAdapter(r, model.NativeAdapterMetadata(r));
            using var weights = model.LoadAdapter(r, clip);
            using var detector = ZeroShotDetector.Create(clip, weights, ModelArguments.Tokenizer(clip), AprilGanOptions.Paper with { BatchSize = r.GetValue(batch) });
            var outDir = r.GetValue(output)!;
            var options = new EvaluationOptions
            {
                Mode = evaluationMode,
                Classes = data.ClassFilter(r),
                K = r.GetValue(k),
                Seed = r.GetValue(seed),
                KShotFile = r.GetValue(kShotFile),
                FewShotScore = r.GetValue(fewShotScore),
                Settings = new Dictionary<string, string>
                {
                    ["dataset_format"] = r.GetValue(data.Dataset)!.ToLowerInvariant(),
                    ["model"] = r.GetValue(model.ModelDir) ?? r.GetValue(model.Model) ?? clip.Config.Name,
                    ["adapter"] = Path.GetFullPath(r.GetValue(model.Adapter)!),
                    ["device"] = clip.Device.ToString(),
                    ["few_shot_score"] = r.GetValue(fewShotScore).ToString(),
                },
            };
            var bar = new TerminalProgress("test");
            var run = new EvaluationRun(detector, dataset, options)
            {
                Progress = new SyncProgress<EvaluationProgress>(p => bar.Report(p.ImagesDone, p.ImagesTotal, $"{p.ClassName} {p.ImageInClass}/{p.ImagesInClass}")),
                OnImage = r.GetValue(noOverlays) ? null : (sample, result, image) =>
                {
                    // The paper's overlay: image resized to the map, per-image min-max JET, 0.5 blend.
                    using var overlay = HeatmapOverlay.Render(image, result);
                    var defect = sample.DefectType.Length > 0 ? sample.DefectType : (sample.IsAnomaly ? "Anomaly" : "Normal");
                    overlay.SavePng(Path.Combine(outDir, "imgs", sample.ClassName, defect, Path.GetFileNameWithoutExtension(sample.ImagePath) + ".png"));
                },
            };
            var result = run.Run(outDir);
            Console.Write(result.Metrics.ToMarkdown());
            Console.WriteLine($"results written to {Path.GetFullPath(outDir)}");
            return 0;
        }));
        return cmd;
    }
}
