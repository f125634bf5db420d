using System.Diagnostics;
using System.Globalization;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Evaluates a detector over a dataset's TEST split as APRIL-GAN's <c>test.py</c> does: class by class in order,
/// every test image scored by the detector, its S×S map compared with the S×S binarised mask (APRIL-GAN's mask
/// transform; all zeros for normal images), and the paper's metrics per class plus their unweighted mean.
/// </summary>
/// <remarks>
/// <para>A <see cref="MemoryBankDetector"/> makes the run few-shot: each class's bank is built from k train-split
/// images (see <see cref="FewShotReferences"/>) just before the class and released after it. The image score is the
/// detector's own score, except for few-shot runs with <see cref="FewShotImageScore.Transductive"/> (the paper), whose
/// scores are computed over the whole class once it is scored (<see cref="TransductiveScores"/>).</para>
/// <para>Memory: one class at a time. Maps go into the class's <see cref="ClassMetricsAccumulator"/> (4 bytes per
/// pixel) and are not kept; 200 images at 518×518 hold about 215 MB until the class's metrics are computed.</para>
/// </remarks>
public sealed class EvaluationRun
{
    private readonly AnomalyDetector _detector;
    private readonly AnomalyDataset _dataset;
    private readonly EvaluationOptions _options;

    /// <summary>Prepares a run; nothing is read until <see cref="Evaluate"/>.</summary>
    /// <param name="detector">The detector (not owned); a <see cref="MemoryBankDetector"/> gets per-class banks built for the run.</param>
    /// <param name="dataset">The dataset; only its test split is scored (and its train split read for references).</param>
    /// <param name="options">Class filter and few-shot references; every class with the defaults when null.</param>
    /// <exception cref="ArgumentException">A requested class is not in the dataset, a class is listed twice, or k is below 1.</exception>
    public EvaluationRun(AnomalyDetector detector, AnomalyDataset dataset, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(dataset);
        _detector = detector;
        _dataset = dataset;
        _options = options ?? new EvaluationOptions();
        var classes = _options.Classes ?? dataset.ClassNames;
        var unknown = classes.Where(c => !dataset.ClassNames.Contains(c, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"class(es) {string.Join(", ", unknown)} not in the dataset at {dataset.Root} (classes: {string.Join(", ", dataset.ClassNames)})");
        if (classes.Count == 0) throw new ArgumentException("no class to evaluate");
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count) throw new ArgumentException("a class is listed twice");
        if (FewShot is not null && _options.KShotFile is null && _options.K < 1)
            throw new ArgumentException($"few-shot needs k ≥ 1 reference images per class, got {_options.K}");
        Classes = classes.ToArray();
    }

    /// <summary>The classes evaluated, in order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Called after each test image with its sample, the detector's result (map at S×S) and the decoded image, e.g. to
    /// save overlays. The result's <see cref="AnomalyResult.Score"/> is the detector's per-image score; a transductive
    /// score is only known once the whole class is scored (see <see cref="ClassEvaluation.Outcomes"/>).
    /// </summary>
    public Action<AnomalySample, AnomalyResult, DecodedImage>? OnImage { get; init; }

    /// <summary>Receives an <see cref="EvaluationProgress"/> after each test image.</summary>
    public IProgress<EvaluationProgress>? Progress { get; init; }

    private MemoryBankDetector? FewShot => _detector as MemoryBankDetector;

    private bool Transductive => FewShot is not null && _options.FewShotScore == FewShotImageScore.Transductive;

    /// <summary>Evaluates and writes the result files into <paramref name="outputDirectory"/> (see <see cref="EvaluationResult.WriteTo"/>).</summary>
    /// <exception cref="DatasetException">A class has no test images, or references cannot be found or drawn.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">An image or mask cannot be decoded.</exception>
    public EvaluationResult Run(string outputDirectory, CancellationToken cancellationToken = default)
    {
        var result = Evaluate(cancellationToken);
        result.WriteTo(outputDirectory);
        return result;
    }

    /// <summary>Evaluates every class and returns the metrics; writes nothing.</summary>
    /// <exception cref="DatasetException">A class has no test images, or references cannot be found or drawn.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">An image or mask cannot be decoded.</exception>
    public EvaluationResult Evaluate(CancellationToken cancellationToken = default)
    {
        var references = References();
        var settings = Settings();
        var lines = new List<string>();
        if (references is { IgnoredLines: > 0 })
            lines.Add($"k-shot file: {references.IgnoredLines} line(s) of classes not evaluated left out");
        var results = new List<ClassEvaluation>();
        int total = Classes.Sum(c => _dataset.Test[c].Count), done = 0;
        for (int ci = 0; ci < Classes.Count; ci++)
        {
            var watch = Stopwatch.StartNew();
            var evaluation = EvaluateClass(ci, references, total, ref done, cancellationToken);
            results.Add(evaluation);
            var line = $"{evaluation.ClassName}: {evaluation.Images} test images ({evaluation.Anomalous} anomalous)";
            if (references is not null) line += $", {evaluation.References.Count} references";
            if (!evaluation.PixelMetricsAvailable) line += ", pixel metrics NaN: an anomalous image has no mask";
            lines.Add(line + string.Create(CultureInfo.InvariantCulture, $", {watch.Elapsed.TotalSeconds:F1} s"));
        }
        return new EvaluationResult(results, settings, EvaluationResult.FormatLog(settings, lines), references);
    }

    private ClassEvaluation EvaluateClass(int classIndex, FewShotReferences? references, int total, ref int done, CancellationToken ct)
    {
        var cls = Classes[classIndex];
        var samples = _dataset.Test[cls];
        AddBank(cls, references);
        try
        {
            var builder = new ClassEvaluationBuilder(cls, samples.Count, _detector.MapSize, _detector.Decoder, Transductive);
            foreach (var p in _detector.PredictFiles(samples.Select(s => s.ImagePath).ToArray(), cls))
            {
                ct.ThrowIfCancellationRequested();
                var (sample, result) = (samples[p.Index], p.Result);
                builder.Add(sample, result.Map.Values, result.Map.Height, result.Map.Width, result.Score, result.TextProbability, result.MapMax);
                OnImage?.Invoke(sample, result, p.Image);
                done++;
                Progress?.Report(new EvaluationProgress(cls, classIndex, Classes.Count, p.Index + 1, samples.Count, done, total, sample.RelativeImagePath));
            }
            return builder.Build(references?.ByClass[cls] ?? []);
        }
        finally
        {
            FewShot?.RemoveBank(cls);
        }
    }

    /// <summary>
    /// Scores this shard's part of the run and writes what <see cref="ShardedEvaluation.Merge"/> needs into
    /// <paramref name="outputDirectory"/> (created if needed): <see cref="EvaluationShard.MapsFile"/> (the maps,
    /// streamed), <c>k_shot.txt</c> for few-shot runs, and last the manifest <see cref="ShardManifest.FileName"/>. No
    /// metrics: they need every image of a class, so the merge computes them (and transductive scores).
    /// </summary>
    /// <remarks>
    /// The partition: the run's test images as one list, classes in order and each class's test images in dataset
    /// order, cut into <see cref="Shard.Count"/> contiguous blocks (<see cref="Shard.Range"/>). A block touches few
    /// classes, so few memory banks are built per shard. Every shard picks the references of every class with the
    /// run's one deterministic policy (seeded draw or k-shot file), so all shards use the same references; the merge
    /// checks it. <see cref="OnImage"/> and <see cref="Progress"/> report the shard's images only.
    /// </remarks>
    /// <exception cref="DatasetException">A class has no test images, or references cannot be found or drawn.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">An image cannot be decoded.</exception>
    public EvaluationShard RunShard(Shard shard, string outputDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var references = References();
        var all = Classes.SelectMany(c => _dataset.Test[c]).ToArray();
        var (start, end) = shard.Range(all.Length);
        Directory.CreateDirectory(outputDirectory);
        var images = new List<EvaluationShardImage>(end - start);
        using (var maps = new SafeTensorsStreamWriter(Path.Combine(outputDirectory, EvaluationShard.MapsFile)))
        {
            for (int ci = 0, first = 0; ci < Classes.Count; first += _dataset.Test[Classes[ci]].Count, ci++)
            {
                var cls = Classes[ci];
                var samples = _dataset.Test[cls];
                int from = Math.Max(start, first) - first, to = Math.Min(end, first + samples.Count) - first;
                if (from >= to) continue;
                AddBank(cls, references);
                try
                {
                    var mine = samples.Skip(from).Take(to - from).ToArray();
                    foreach (var p in _detector.PredictFiles(mine.Select(s => s.ImagePath).ToArray(), cls))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var (sample, result) = (mine[p.Index], p.Result);
                        int index = first + from + p.Index;
                        var name = index.ToString(CultureInfo.InvariantCulture);
                        maps.Add(name, result.Map.Values, result.Map.Height, result.Map.Width);
                        images.Add(new EvaluationShardImage(index, cls, sample.RelativeImagePath, sample.DefectType, sample.IsAnomaly, sample.RelativeMaskPath,
                            result.Score, result.TextProbability, result.MapMax, name));
                        OnImage?.Invoke(sample, result, p.Image);
                        Progress?.Report(new EvaluationProgress(cls, ci, Classes.Count, from + p.Index + 1, samples.Count, images.Count, end - start, sample.RelativeImagePath));
                    }
                }
                finally
                {
                    FewShot?.RemoveBank(cls);
                }
            }
            maps.Complete();
        }
        if (references is not null) AtomicFile.WriteAllText(Path.Combine(outputDirectory, FewShotReferences.FileName), references.ToKShotText());
        var manifest = new EvaluationShard
        {
            Shard = shard,
            DatasetRoot = _dataset.Root,
            MapSize = _detector.MapSize,
            Transductive = Transductive,
            Settings = Settings(),
            Classes = Classes.Select(c => new EvaluationShardClass(c, _dataset.Test[c].Count, references?.ByClass[c])).ToArray(),
            IgnoredKShotLines = references?.IgnoredLines ?? 0,
            ImagesTotal = all.Length,
            ImagesFingerprint = Shard.Fingerprint(all.Select(s => s.ClassName + "\t" + s.RelativeImagePath)),
            Images = images,
        };
        manifest.Write(outputDirectory);
        return manifest;
    }

    /// <summary>The run's few-shot references (null for zero-shot), after checking that every class has test images.</summary>
    private FewShotReferences? References()
    {
        var empty = Classes.FirstOrDefault(c => _dataset.Test[c].Count == 0);
        if (empty is not null) throw new DatasetException(_dataset.Root, $"class '{empty}' has no test images");
        return FewShot is null ? null
            : _options.KShotFile is not null ? FewShotReferences.Read(_options.KShotFile, _dataset, Classes)
            : FewShotReferences.Sample(_dataset, Classes, _options.K, _options.Seed);
    }

    /// <summary>Gives a few-shot detector the bank of <paramref name="cls"/>; transductive runs skip its calibration (their score does not use it).</summary>
    private void AddBank(string cls, FewShotReferences? references)
    {
        if (references is not null) FewShot!.AddBank(FewShot.BuildBank(references.AbsolutePaths(cls), cls, calibrate: !Transductive));
    }

    private List<KeyValuePair<string, string>> Settings()
    {
        var s = new List<KeyValuePair<string, string>>
        {
            new("mode", FewShot is not null ? "few-shot" : "zero-shot"),
            new("dataset", _dataset.Root),
            new("classes", string.Join(",", Classes)),
        };
        s.AddRange(_detector.Settings);
        s.Add(new("map", _detector.MapDescription));
        s.Add(new("image_score", Transductive
            ? "transductive: 0.5*(text probability + per-class min-max normalised map max), the normalised map max alone without a text tower"
            : _detector.ScoreDescription));
        if (FewShot is not null)
        {
            if (_options.KShotFile is not null) s.Add(new("k_shot_file", Path.GetFullPath(_options.KShotFile)));
            else
            {
                s.Add(new("k", _options.K.ToString(CultureInfo.InvariantCulture)));
                s.Add(new("seed", _options.Seed?.ToString(CultureInfo.InvariantCulture) ?? "none"));
                s.Add(new("reference_sampling", _options.Seed is null
                    ? "the first k train images in sorted order"
                    : "without replacement from the train split, System.Random(seed) per class over the sorted files"));
            }
        }
        foreach (var (key, value) in _options.Settings ?? new Dictionary<string, string>())
        {
            if (s.Any(kv => kv.Key == key)) throw new ArgumentException($"extra setting '{key}' clashes with a setting of the run");
            s.Add(new(key, value));
        }
        return s;
    }
}
