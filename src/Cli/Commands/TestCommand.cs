using System.CommandLine;
using System.Globalization;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip test</c>: APRIL-GAN's <c>test.py</c>: evaluates an adapter on a dataset's test split (zero- or
/// few-shot), prints the paper's table and writes results.md/csv/json, log.txt (and k_shot.txt) to <c>--out</c>.
/// Defaults are those of the paper's <c>test_*.sh</c>.
/// </summary>
internal static class TestCommand
{
    public static Command Build()
    {
        var dataset = new Option<string>("--dataset") { Description = "mvtec, visa, meta (APRIL-GAN meta.json) or folder (good/ + defect folders).", Required = true };
        var dataPath = new Option<string>("--data-path") { Description = "Dataset root.", Required = true };
        var discover = new Option<bool>("--discover-classes") { Description = "Use the class folders present instead of the paper's class list (mvtec, visa)." };
        var classes = new Option<string?>("--class-name") { Description = "Only these classes, comma-separated." };
        var mode = new Option<string>("--mode") { Description = "zero-shot or few-shot.", DefaultValueFactory = _ => "zero-shot" };
        var k = new Option<int>("--k") { Description = "Few-shot: normal reference images drawn per class from the train split (with replacement).", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Few-shot: seed of the reference draw (System.Random, not torch's stream).", DefaultValueFactory = _ => 42 };
        var kShotFile = new Option<string?>("--k-shot-file") { Description = "Few-shot: reference list in APRIL-GAN's k_shot.txt format (paths relative to --data-path) instead of --k/--seed." };
        var model = new Option<string>("--model") { Description = "CLIP model name or hub id; default: the adapter's backbone (APRIL-GAN .pth: ViT-L-14-336).", DefaultValueFactory = _ => AdapterMetadata.Paper.Backbone };
        var modelDir = new Option<string?>("--model-dir") { Description = "Local model folder instead of --model." };
        var adapter = new Option<string>("--adapter") { Description = "Adapter checkpoint: native .safetensors (carries taps, image size, backbone) or APRIL-GAN .pth.", Required = true };
        var taps = new Option<string[]>("--taps") { Description = "APRIL-GAN .pth: 1-based ViT blocks of the linear layers (e.g. 6 12 18 24 or 6,12,18,24).", DefaultValueFactory = _ => ["6", "12", "18", "24"], AllowMultipleArgumentsPerToken = true };
        var imageSize = new Option<int>("--image-size") { Description = "APRIL-GAN .pth: input side in pixels.", DefaultValueFactory = _ => AdapterMetadata.Paper.ImageSize };
        var activation = new Option<string>("--activation") { Description = "APRIL-GAN .pth: CLIP activation, gelu (as APRIL-GAN ran) or quickgelu.", DefaultValueFactory = _ => AdapterMetadata.Paper.Activation };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "bpe_simple_vocab_16e6.txt.gz, when the model folder has no tokenizer files." };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<int>("--batch-size") { Description = "Images per encoder pass.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Folder for results.md, results.csv, results.json, log.txt (and k_shot.txt).", Required = true };
        var cmd = new Command("test", "Evaluate an adapter on a dataset's test split as APRIL-GAN's test.py does (per-class pixel/image AUROC, F1-max, AP, AUPRO).")
        { dataset, dataPath, discover, classes, mode, k, seed, kShotFile, model, modelDir, adapter, taps, imageSize, activation, tokenizer, device, batch, output };
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
            if (Given(model) && Given(modelDir)) throw new ArgumentException("give --model or --model-dir, not both");
            if (evaluationMode == EvaluationMode.ZeroShot && (Given(k) || Given(seed) || Given(kShotFile)))
                throw new ArgumentException("--k, --seed and --k-shot-file apply to --mode few-shot only");
            if (Given(kShotFile) && (Given(k) || Given(seed))) throw new ArgumentException("--k-shot-file fixes the references: drop --k/--seed");

            var only = r.GetValue(classes)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var data = LoadDataset(r.GetValue(dataset)!, r.GetValue(dataPath)!, only, r.GetValue(discover));
            var dev = DeviceOption.Parse(r.GetValue(device)!);
            var modelName = r.GetValue(modelDir) ?? r.GetValue(model)!;
            var importAs = new AdapterMetadata(Given(modelDir) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(modelName)) : modelName,
                ParseTaps(r.GetValue(taps)!), r.GetValue(imageSize), r.GetValue(activation)!.Trim().ToLowerInvariant(), 0, 0);
            ParseActivation(importAs.Activation);
            var adapterPath = r.GetValue(adapter)!;
            using var weights = AdapterWeights.Load(adapterPath, dev, importAs);
            CheckAgainstMetadata(weights.Metadata, importAs, adapterPath, Given(taps), Given(imageSize), Given(activation));
            // A native adapter names its backbone; an explicit --model/--model-dir wins over it.
            var source = Given(model) || Given(modelDir) ? modelName : weights.Metadata.Backbone;
            var loadOptions = new ClipLoadOptions(weights.Metadata.ImageSize, ParseActivation(weights.Metadata.Activation), TokenizerFile: r.GetValue(tokenizer));
            using var clip = ClipModel.Load(source, dev, loadOptions);
            using var detector = ZeroShotDetector.Create(clip, weights, options: AprilGanOptions.Paper with { BatchSize = r.GetValue(batch) });

            var options = new EvaluationOptions
            {
                Mode = evaluationMode,
                Classes = only,
                K = r.GetValue(k),
                Seed = r.GetValue(seed),
                KShotFile = r.GetValue(kShotFile),
                Settings = new Dictionary<string, string>
                {
                    ["dataset_format"] = r.GetValue(dataset)!.ToLowerInvariant(),
                    ["model"] = source,
                    ["adapter"] = Path.GetFullPath(adapterPath),
                    ["device"] = dev.ToString(),
                },
            };
            var run = new EvaluationRun(detector, data, options) { Progress = new ConsoleEvaluationProgress() };
            var result = run.Run(r.GetValue(output)!);
            Console.Write(result.Metrics.ToMarkdown());
            Console.WriteLine($"results written to {Path.GetFullPath(r.GetValue(output)!)}");
            return 0;
        }));
        return cmd;
    }

    // mvtec and visa read only the --class-name classes; meta and folder datasets list all theirs, and the
    // evaluation narrows them (EvaluationOptions.Classes).
    private static AnomalyDataset LoadDataset(string kind, string root, string[]? only, bool discover)
    {
        var options = new DatasetLoadOptions { Classes = only, DiscoverClasses = only is null && discover };
        var dataset = kind.ToLowerInvariant() switch
        {
            "mvtec" => MvtecDataset.Load(root, options),
            "visa" => VisaDataset.Load(root, options),
            "meta" => MetaJsonDataset.Load(root),
            "folder" => FolderDataset.Load(root),
            var other => throw new ArgumentException($"--dataset: unknown dataset '{other}' (mvtec, visa, meta, folder)"),
        };
        dataset.Validate();
        return dataset;
    }

    internal static int[] ParseTaps(IEnumerable<string> values)
    {
        var parts = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        var taps = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out taps[i]) || taps[i] < 1)
                throw new ArgumentException($"--taps: '{parts[i]}' is not a 1-based block number");
        if (taps.Length == 0) throw new ArgumentException("--taps: give at least one block");
        return taps;
    }

    private static Activation ParseActivation(string value) => value.Trim().ToLowerInvariant() switch
    {
        "gelu" => Activation.Gelu,
        "quickgelu" or "quick_gelu" => Activation.QuickGelu,
        _ => throw new ArgumentException($"activation '{value}' is unknown (gelu, quickgelu)"),
    };

    // Explicit options that contradict a native adapter's own metadata would silently evaluate something else.
    private static void CheckAgainstMetadata(AdapterMetadata actual, AdapterMetadata asked, string path, bool taps, bool size, bool activation)
    {
        var conflicts = new List<string>();
        if (taps && !actual.Taps.SequenceEqual(asked.Taps)) conflicts.Add($"--taps {string.Join(",", asked.Taps)} vs {string.Join(",", actual.Taps)}");
        if (size && actual.ImageSize != asked.ImageSize) conflicts.Add($"--image-size {asked.ImageSize} vs {actual.ImageSize}");
        if (activation && !string.Equals(actual.Activation, asked.Activation, StringComparison.OrdinalIgnoreCase)) conflicts.Add($"--activation {asked.Activation} vs {actual.Activation}");
        if (conflicts.Count > 0)
            throw new ArgumentException($"{path}: the adapter's metadata disagrees with {string.Join("; ", conflicts)}; drop these options (the adapter's metadata applies)");
    }

    /// <summary>One line per class on redirected stderr; a line rewritten per image on a terminal.</summary>
    private sealed class ConsoleEvaluationProgress : IProgress<EvaluationProgress>
    {
        public void Report(EvaluationProgress p)
        {
            bool classDone = p.ImageInClass == p.ImagesInClass;
            var text = $"[{p.ClassIndex + 1}/{p.ClassCount}] {p.ClassName} {p.ImageInClass}/{p.ImagesInClass} (all: {p.ImagesDone}/{p.ImagesTotal})";
            if (!Console.IsErrorRedirected) Console.Error.Write("\r" + text + (classDone ? "\n" : ""));
            else if (classDone) Console.Error.WriteLine(text);
        }
    }
}
