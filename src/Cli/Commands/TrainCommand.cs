using System.CommandLine;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Training.Evaluation;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Trainer;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip train</c>: trains the linear layers on an auxiliary dataset, with the paper's train.sh settings as
/// defaults (train on the test split; 3 epochs on MVTec with mosaic 0.2, 15 on VisA; batch 8; Adam 1e-3, β 0.5/0.999; seed 111).
/// </summary>
internal static class TrainCommand
{
    public static Command Build()
    {
        var data = new DatasetArguments();
        var model = new ModelArguments();
        var save = new Option<string>("--save-path") { Description = "Output folder (checkpoints, epoch_N.safetensors adapters, logs).", Required = true };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: 3 for mvtec, 15 for visa, 3 otherwise)." }.Between(1, 100000);
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 8 }.Between(1, 1024);
        var lr = new Option<double>("--learning-rate") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3 }.Between(0, 10, minExclusive: true);
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, shuffling and mosaics.", DefaultValueFactory = _ => 111 };
        var aug = new Option<double?>("--aug-rate") { Description = "Mosaic probability (default: 0.2 for mvtec, 0 otherwise)." }.Between(0, 1);
        var cache = new Option<TokenCacheMode>("--cache") { Description = "Cache CLIP tokens across epochs: None, Memory or Disk.", DefaultValueFactory = _ => TokenCacheMode.None };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Folder for --cache Disk." };
        var resume = new Option<bool>("--resume") { Description = "Continue from checkpoint.safetensors in --save-path (it must exist and match these settings)." };
        var init = new Option<string?>("--init-adapter") { Description = "Start from these linear layers (APRIL-GAN .pth or native .safetensors, e.g. a released adapter to fine-tune) instead of the seeded initialisation." };
        var validation = new DatasetArguments("val-");
        var cmd = new Command("train", "Train APRIL-GAN's linear layers (focal + dice) with CLIP frozen.") { save, epochs, batch, lr, seed, aug, cache, cacheDir, resume, init };
        data.AddTo(cmd);
        validation.AddTo(cmd);
        model.AddTo(cmd, adapter: false);
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var initPath = r.GetValue(init);
            if (initPath is not null && r.GetValue(resume)) throw new ArgumentException("--init-adapter starts a new run; --resume continues one from its checkpoint: give one of them");
            if (initPath is not null && !File.Exists(initPath)) throw new FileNotFoundException($"--init-adapter: {initPath} does not exist", initPath);
            var saveDir = OutputPaths.Folder("--save-path", r.GetValue(save)!);
            var dataset = data.Load(r);
            var name = r.GetValue(data.Dataset)!;
            var samples = dataset.ClassNames.SelectMany(c => dataset.Test[c]).ToArray();
            if (samples.Length == 0) throw new ArgumentException($"{dataset.Root}: the test split (the paper trains on it) has no images");
            var options = new TrainingOptions(
                Epochs: r.GetValue(epochs) ?? (name == "visa" ? 15 : 3),
                BatchSize: r.GetValue(batch), LearningRate: r.GetValue(lr), Seed: r.GetValue(seed),
                MosaicProbability: r.GetValue(aug) ?? (name == "mvtec" ? MosaicAugmentation.PaperProbability : 0),
                Cache: r.GetValue(cache), CacheDirectory: r.GetValue(cacheDir));
            using var clip = model.LoadClipForAdapter(r, null);
            var metadata = new AdapterMetadata(clip.Config.Name, model.TapsFor(r, null), clip.ImageSize, ModelArguments.ActivationName(clip),
                clip.Config.Vision.Width, clip.Config.EmbedDim, new Dictionary<string, string> { ["dataset"] = name, ["data_path"] = dataset.Root });
            if (initPath is not null) metadata = metadata with { Training = new Dictionary<string, string>(metadata.Training!) { ["init_adapter"] = Path.GetFullPath(initPath) } };
            using var initial = initPath is null ? null : AdapterWeights.Load(initPath, clip.Device, metadata);
            initial?.EnsureFits(clip, initPath!);
            using var text = new TextFeatures(clip, clip.Tokenizer);
            var trainer = new AdapterTrainer(clip, text, metadata, options);
            var validate = validation.Given(r) ? ValidationScore(clip, validation.Load(r), validation.ClassFilter(r)) : null;
            var bar = new TerminalProgress("train");
            var result = trainer.Train(samples, options.MosaicProbability > 0 ? dataset : null, saveDir, r.GetValue(resume),
                new SyncProgress<TrainingProgress>(p => bar.Report((p.Epoch - 1L) * p.StepsPerEpoch + p.Step, (long)p.Epochs * p.StepsPerEpoch,
                    $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} (mean {p.MeanEpochLoss:F4}) ETA {p.Remaining:hh\\:mm\\:ss}")), validate, initialWeights: initial);
            using var adapter = result.Adapter;
            foreach (var h in result.History)
                Console.WriteLine($"epoch {h.Epoch}: mean loss {h.MeanLoss:F6}" + (h.Validation is double v ? $", validation {v:F4}" : ""));
            if (result.BestEpoch is int best) Console.WriteLine($"best epoch {best}: {Path.Combine(result.SaveDirectory, "best.safetensors")}");
            Console.WriteLine($"adapter: {Path.Combine(result.SaveDirectory, $"epoch_{options.Epochs}.safetensors")}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Zero-shot evaluation of the current layers on the held-out set; the score is the mean of the three headline
    /// figures (mean pixel AUROC, mean AUPRO, mean image AUROC), NaNs skipped.
    /// </summary>
    private static Func<AdapterWeights, double> ValidationScore(ClipModel clip, AnomalyDataset dataset, string[]? classes) => adapter =>
    {
        using var detector = ZeroShotDetector.Create(clip, adapter);
        var mean = new EvaluationRun(detector, dataset, new EvaluationOptions { Classes = classes }).Evaluate().Metrics.Mean;
        var figures = new[] { mean.PixelAuroc, mean.Aupro, mean.ImageAuroc }.Where(double.IsFinite).ToArray();
        return figures.Length == 0 ? double.NaN : figures.Average();
    };
}
