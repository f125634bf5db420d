using System.Diagnostics;
using System.Globalization;
using System.Text;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Trainer;

/// <summary>What a training run produced.</summary>
/// <param name="Adapter">The final layers (owned by the caller).</param>
/// <param name="History">Per-epoch losses (and validation scores).</param>
/// <param name="BestEpoch">Epoch with the best validation score, when validation ran.</param>
/// <param name="SaveDirectory">Where checkpoints, adapters and logs were written.</param>
public sealed record TrainingResult(AdapterWeights Adapter, IReadOnlyList<EpochRecord> History, int? BestEpoch, string SaveDirectory);

/// <summary>
/// Trains APRIL-GAN's linear layers with CLIP frozen: focal + dice per layer, Adam, seeded and deterministic. After
/// every epoch it writes (atomically) a resumable checkpoint, the epoch's adapter (<c>epoch_N.safetensors</c>) and
/// the loss logs; <c>resume</c> continues from the last checkpoint and ends with the weights an uninterrupted run of
/// the same seed produces.
/// </summary>
public sealed class AdapterTrainer
{
    private readonly ClipModel _clip;
    private readonly TextFeatures _text;
    private readonly AdapterMetadata _metadata;
    private readonly TrainingOptions _options;
    private readonly ImageDecoder _decoder = new();
    private readonly ClipPreprocessor _preprocessor;
    private readonly MaskPreprocessor _masks;

    /// <summary>Creates a trainer.</summary>
    /// <param name="clip">The frozen backbone, at the training image size.</param>
    /// <param name="text">Text features of the training classes.</param>
    /// <param name="metadata">Adapter shape (taps, widths) and provenance; its image size must be the model's.</param>
    /// <param name="options">Training settings.</param>
    public AdapterTrainer(ClipModel clip, TextFeatures text, AdapterMetadata metadata, TrainingOptions options)
    {
        if (metadata.ImageSize != clip.ImageSize) throw new ArgumentException($"adapter image size {metadata.ImageSize} differs from the model's {clip.ImageSize}");
        _clip = clip;
        _text = text;
        _metadata = metadata;
        _options = options;
        _preprocessor = new ClipPreprocessor(ClipTransformOptions.FromConfig(clip.Config.Preprocess, clip.ImageSize, ResizeMode.Squash));
        _masks = new MaskPreprocessor(clip.ImageSize, _decoder);
    }

    /// <summary>
    /// Trains on <paramref name="samples"/> (the paper: the test split of the other dataset). Mosaics, when the
    /// options ask for them, are drawn from <paramref name="mosaicSource"/>'s test split of the same class.
    /// </summary>
    /// <param name="samples">Training samples in dataset order (shuffled per epoch).</param>
    /// <param name="mosaicSource">Dataset for the mosaic augmentation; null disables it.</param>
    /// <param name="saveDirectory">Output folder.</param>
    /// <param name="resume">Continue from <c>checkpoint.safetensors</c> in <paramref name="saveDirectory"/>, which must exist and
    /// have been made with the same settings (seed, batch size, Adam settings, mosaic probability, backbone, taps, image
    /// size, activation, dataset); only the epoch count may grow.</param>
    /// <param name="progress">Per-step reports.</param>
    /// <param name="validate">Scores an adapter after each epoch (higher is better); the best is saved as <c>best.safetensors</c>.</param>
    /// <param name="cancellationToken">Stops between steps; the last finished epoch stays resumable.</param>
    /// <param name="initialWeights">Linear layers to start from instead of the seeded initialisation (e.g. a released
    /// APRIL-GAN checkpoint to fine-tune); they must have this trainer's taps, image size and widths. Not owned.</param>
    /// <exception cref="AdapterLoadException"><paramref name="initialWeights"/> do not fit.</exception>
    /// <exception cref="InvalidDataException">Resume without a checkpoint, or with one made with other settings.</exception>
    public TrainingResult Train(IReadOnlyList<AnomalySample> samples, AnomalyDataset? mosaicSource, string saveDirectory, bool resume = false,
        IProgress<TrainingProgress>? progress = null, Func<AdapterWeights, double>? validate = null, CancellationToken cancellationToken = default,
        AdapterWeights? initialWeights = null)
    {
        if (samples.Count == 0) throw new ArgumentException("no training samples");
        if (initialWeights is not null) CheckFits(initialWeights);
        Directory.CreateDirectory(saveDirectory);
        _text.Precompute(samples.Select(s => s.ClassName).Distinct());

        manual_seed(_options.Seed);
        var adapter = AdapterWeights.CreateNew(_metadata, _clip.Device);
        if (initialWeights is not null)
            using (no_grad())
            {
                var given = initialWeights.StateDict();
                foreach (var (name, p) in adapter.Projector.named_parameters()) p.copy_(given[name].to(p.device));
            }
        var named = adapter.Projector.named_parameters().Select(p => (p.name, p.parameter)).ToArray();
        using var adam = new AdamOptimizer(named, _options.LearningRate, _options.Beta1, _options.Beta2);
        var history = new List<EpochRecord>();
        int startEpoch = 1;
        var checkpointPath = Path.Combine(saveDirectory, TrainingCheckpoint.FileName);
        if (resume)
        {
            if (!File.Exists(checkpointPath))
                throw new InvalidDataException($"{checkpointPath}: no checkpoint to resume from (train without resume to start a new run)");
            startEpoch = Restore(checkpointPath, adapter, adam, history) + 1;
        }

        using var cache = new TokenCache(_options.Cache, _options.CacheDirectory);
        int stepsPerEpoch = (samples.Count + _options.BatchSize - 1) / _options.BatchSize;
        var clock = Stopwatch.StartNew();
        int stepsDone = 0, stepsLeftTotal = (_options.Epochs - startEpoch + 1) * stepsPerEpoch;
        for (int epoch = startEpoch; epoch <= _options.Epochs; epoch++)
        {
            // Every epoch's randomness derives from (seed, epoch), so a resumed run draws what an uninterrupted one does.
            var order = Shuffled(samples.Count, new Random(StreamSeed(epoch, 1)));
            var mosaic = mosaicSource is not null && _options.MosaicProbability > 0
                ? new MosaicAugmentation(mosaicSource, _options.MosaicProbability, new Random(StreamSeed(epoch, 2)))
                : null;
            double lossSum = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.Skip(step * _options.BatchSize).Take(_options.BatchSize).Select(i => samples[i]).ToArray();
                double loss = TrainStep(adapter, adam, batch, mosaic, cache);
                lossSum += loss;
                stepsDone++;
                var elapsed = clock.Elapsed;
                progress?.Report(new TrainingProgress(epoch, _options.Epochs, step + 1, stepsPerEpoch, loss, lossSum / (step + 1), elapsed,
                    TimeSpan.FromTicks(elapsed.Ticks / stepsDone * (stepsLeftTotal - stepsDone))));
            }
            double? score = validate?.Invoke(adapter);
            history.Add(new EpochRecord(epoch, stepsPerEpoch, lossSum / stepsPerEpoch, score));
            SaveEpoch(saveDirectory, epoch, adapter, adam, history);
        }
        var scored = history.Where(h => h.Validation is double v && double.IsFinite(v)).ToArray();
        int? best = scored.Length > 0 ? scored.MaxBy(h => h.Validation!.Value)!.Epoch : null;
        if (best is int b) File.Copy(Path.Combine(saveDirectory, $"epoch_{b}.safetensors"), Path.Combine(saveDirectory, "best.safetensors"), overwrite: true);
        return new TrainingResult(adapter, history, best, saveDirectory);
    }

    /// <summary>One optimiser step on a batch; returns the loss.</summary>
    private double TrainStep(AdapterWeights adapter, AdamOptimizer adam, IReadOnlyList<AnomalySample> batch, MosaicAugmentation? mosaic, TokenCache cache)
    {
        using var scope = NewDisposeScope();
        int n = batch.Count;
        var tokens = new Tensor[n][];
        var masks = new Tensor[n];
        var hasMask = new bool[n];
        var toEncode = new List<(int Index, DecodedImage Image, string? CacheKey)>();
        for (int i = 0; i < n; i++)
        {
            var s = batch[i];
            using var m = mosaic?.MaybeCreate(s.ClassName);
            if (m is not null)
            {
                toEncode.Add((i, ImageConversion.ToDecoded(m.Image), null));
                masks[i] = _masks.ToTensor(ImageConversion.ToDecoded(m.Mask), _clip.Device);
                hasMask[i] = true;
                continue;
            }
            hasMask[i] = !s.IsAnomaly || s.MaskPath is not null;
            masks[i] = s.MaskPath is null ? zeros(1, _clip.ImageSize, _clip.ImageSize, device: _clip.Device) : _masks.Load(s.MaskPath, _clip.Device);
            var cached = cache.Enabled ? cache.TryGet(s.ImagePath, _clip.Device) : null;
            if (cached is not null) tokens[i] = cached;
            else toEncode.Add((i, _decoder.Decode(s.ImagePath), cache.Enabled ? s.ImagePath : null));
        }
        if (toEncode.Count > 0)
        {
            using var enc = _clip.EncodeImage(_preprocessor.ToBatch(toEncode.Select(e => e.Image).ToArray(), _clip.Device), _metadata.Taps, pooled: false);
            for (int j = 0; j < toEncode.Count; j++)
            {
                var own = enc.Tokens.Select(t => t[j].clone()).ToArray(); // clone: inference tensors cannot enter autograd
                tokens[toEncode[j].Index] = own;
                if (toEncode[j].CacheKey is string key) cache.Put(key, own);
            }
        }
        var layerTokens = Enumerable.Range(0, _metadata.Taps.Count).Select(l => stack(tokens.Select(t => t[l]).ToArray(), 0)).ToArray();
        var text = _text.ForBatch(batch.Select(s => (string?)s.ClassName).ToArray());
        var gt = cat(masks.Select(m => m.reshape(1, _clip.ImageSize, _clip.ImageSize)).ToArray(), 0);
        adam.ZeroGrad();
        var loss = AdapterObjective.Compute(adapter.Projector, layerTokens, text, gt, hasMask, _clip.ImageSize);
        loss.Total.backward();
        adam.StepOnce();
        return loss.Total.item<float>();
    }

    private void CheckFits(AdapterWeights initial)
    {
        var m = initial.Metadata;
        var problems = new List<string>();
        if (!m.Taps.SequenceEqual(_metadata.Taps)) problems.Add($"taps {string.Join(",", m.Taps)}, training {string.Join(",", _metadata.Taps)}");
        if (m.ImageSize != _metadata.ImageSize) problems.Add($"image size {m.ImageSize}, training {_metadata.ImageSize}");
        if (m.InputWidth != _metadata.InputWidth || m.EmbedDim != _metadata.EmbedDim)
            problems.Add($"widths {m.InputWidth}→{m.EmbedDim}, training {_metadata.InputWidth}→{_metadata.EmbedDim}");
        if (problems.Count > 0) throw new AdapterLoadException(m.Training?.GetValueOrDefault("imported_from") ?? "initial adapter", "does not fit the training: " + string.Join("; ", problems));
    }

    // Everything that changes the weights an epoch produces; the epoch count may grow on resume.
    private static List<string> Differences(TrainingCheckpoint state, TrainingOptions now, AdapterMetadata metadata)
    {
        var d = new List<string>();
        void Compare<T>(string what, T before, T after)
        {
            if (!EqualityComparer<T>.Default.Equals(before, after)) d.Add($"{what} {before}, now {after}");
        }
        var o = state.Options;
        Compare("seed", o.Seed, now.Seed);
        Compare("batch size", o.BatchSize, now.BatchSize);
        Compare("learning rate", o.LearningRate, now.LearningRate);
        Compare("beta1", o.Beta1, now.Beta1);
        Compare("beta2", o.Beta2, now.Beta2);
        Compare("mosaic probability", o.MosaicProbability, now.MosaicProbability);
        var m = state.Metadata;
        Compare("backbone", m.Backbone, metadata.Backbone);
        Compare("taps", string.Join(",", m.Taps), string.Join(",", metadata.Taps));
        Compare("image size", m.ImageSize, metadata.ImageSize);
        Compare("activation", m.Activation, metadata.Activation);
        foreach (var key in new[] { "dataset", "data_path", "init_adapter" })
            Compare(key.Replace('_', ' '), m.Training?.GetValueOrDefault(key), metadata.Training?.GetValueOrDefault(key));
        return d;
    }

    private int Restore(string path, AdapterWeights adapter, AdamOptimizer adam, List<EpochRecord> history)
    {
        var (state, weights, m, v) = TrainingCheckpoint.Load(path);
        try
        {
            var differences = Differences(state, _options, _metadata);
            if (differences.Count > 0)
                throw new InvalidDataException($"{path}: checkpoint was made with other settings ({string.Join("; ", differences)}); resume with those, or start a new run");
            using (no_grad())
            {
                foreach (var (name, p) in adapter.Projector.named_parameters()) p.copy_(weights[name]);
            }
            adam.Restore(state.AdamStep, m, v);
            history.AddRange(state.History);
            return state.Epoch;
        }
        finally
        {
            foreach (var t in weights.Values.Concat(m.Values).Concat(v.Values)) t.Dispose();
        }
    }

    private void SaveEpoch(string dir, int epoch, AdapterWeights adapter, AdamOptimizer adam, IReadOnlyList<EpochRecord> history)
    {
        var metadata = _metadata with
        {
            Training = new Dictionary<string, string>(_metadata.Training ?? new Dictionary<string, string>())
            {
                ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
                ["epochs"] = _options.Epochs.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["learning_rate"] = _options.LearningRate.ToString("R", CultureInfo.InvariantCulture),
                ["seed"] = _options.Seed.ToString(CultureInfo.InvariantCulture),
                ["mosaic_probability"] = _options.MosaicProbability.ToString("R", CultureInfo.InvariantCulture),
            },
        };
        new AdapterWeights(adapter.Projector, metadata).Save(Path.Combine(dir, $"epoch_{epoch}.safetensors"));
        var log = new StringBuilder("epoch,steps,mean_loss,validation\n");
        foreach (var h in history)
            log.Append(CultureInfo.InvariantCulture, $"{h.Epoch},{h.Steps},{h.MeanLoss:R},{h.Validation?.ToString("R", CultureInfo.InvariantCulture)}\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "loss_log.csv"), log.ToString());
        // The checkpoint goes last: it is the commit point a resume trusts.
        new TrainingCheckpoint(epoch, adam.Step, _metadata, _options, history)
            .Save(Path.Combine(dir, TrainingCheckpoint.FileName), adapter.StateDict(), adam.ExpAvg, adam.ExpAvgSq);
    }

    // HashCode.Combine is randomised per process, so seeds are mixed by hand: a resumed process must draw the same.
    private int StreamSeed(int epoch, int stream) => unchecked((int)((uint)_options.Seed * 2654435761u ^ (uint)epoch * 40503u ^ (uint)stream * 97u));

    private static int[] Shuffled(int count, Random random)
    {
        var order = Enumerable.Range(0, count).ToArray();
        random.Shuffle(order);
        return order;
    }
}
