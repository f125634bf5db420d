using System.Diagnostics;
using System.Globalization;
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
/// <para>Image score: zero-shot, the text probability (<see cref="AnomalyResult.TextProbability"/>; the detector's
/// <see cref="AprilGanOptions.FuseMapMax"/> does not enter); few-shot, by default the transductive
/// ½(text probability + per-class min-max normalised map maximum) that <see cref="ImageScoreMode.BlendWithMapMax"/>
/// computes once the class is complete, or the per-image score (<see cref="EvaluationOptions.FewShotScore"/>). Few-shot memory banks come from k train-split images per class (see
/// <see cref="FewShotReferences"/>), built just before the class and released after it.</para>
/// <para>Memory: one class at a time. Maps go into the class's <see cref="ClassMetricsAccumulator"/> (4 bytes per
/// pixel) and are not kept; 200 images at 518×518 hold about 215 MB until the class's metrics are computed.</para>
/// </remarks>
public sealed class EvaluationRun
{
    private readonly ZeroShotDetector _detector;
    private readonly AnomalyDataset _dataset;
    private readonly EvaluationOptions _options;
    private readonly ImageDecoder _decoder;

    /// <summary>Prepares a run; nothing is read until <see cref="Evaluate"/>.</summary>
    /// <param name="detector">The zero-shot detector (not owned); few-shot mode builds its memory banks on top of it.</param>
    /// <param name="dataset">The dataset; only its test split is scored (and its train split read for references).</param>
    /// <param name="options">Mode, class filter and few-shot references; zero-shot over every class when null.</param>
    /// <param name="decoder">Decodes images and masks (pixel limits); the default decoder when null.</param>
    /// <exception cref="ArgumentException">A requested class is not in the dataset, a class is listed twice, or k is below 1.</exception>
    public EvaluationRun(ZeroShotDetector detector, AnomalyDataset dataset, EvaluationOptions? options = null, ImageDecoder? decoder = null)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(dataset);
        _detector = detector;
        _dataset = dataset;
        _options = options ?? new EvaluationOptions();
        _decoder = decoder ?? new ImageDecoder();
        var classes = _options.Classes ?? dataset.ClassNames;
        var unknown = classes.Where(c => !dataset.ClassNames.Contains(c, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new ArgumentException($"class(es) {string.Join(", ", unknown)} not in the dataset at {dataset.Root} (classes: {string.Join(", ", dataset.ClassNames)})");
        if (classes.Count == 0) throw new ArgumentException("no class to evaluate");
        if (classes.Distinct(StringComparer.Ordinal).Count() != classes.Count) throw new ArgumentException("a class is listed twice");
        if (_options.Mode == EvaluationMode.FewShot && _options.KShotFile is null && _options.K < 1)
            throw new ArgumentException($"few-shot needs k ≥ 1 reference images per class, got {_options.K}");
        Classes = classes.ToArray();
    }

    /// <summary>The classes evaluated, in order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// Called after each test image with its sample and the detector's result (map at S×S), e.g. to save overlays.
    /// In few-shot mode the result's <see cref="AnomalyResult.Score"/> is the detector's per-image score; the
    /// transductive score that enters the metrics is only known once the whole class is scored.
    /// </summary>
    public Action<AnomalySample, AnomalyResult, DecodedImage>? OnImage { get; init; }

    /// <summary>Receives an <see cref="EvaluationProgress"/> after each test image.</summary>
    public IProgress<EvaluationProgress>? Progress { get; init; }

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
        var empty = Classes.FirstOrDefault(c => _dataset.Test[c].Count == 0);
        if (empty is not null) throw new DatasetException(_dataset.Root, $"class '{empty}' has no test images");
        var references = _options.Mode != EvaluationMode.FewShot ? null
            : _options.KShotFile is not null ? FewShotReferences.Read(_options.KShotFile, _dataset, Classes)
            : FewShotReferences.Sample(_dataset, Classes, _options.K, _options.Seed);

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
        int size = _detector.ImageSize;
        var maskPreprocessor = new MaskPreprocessor(size, _decoder);
        var refs = references?.ByClass[cls] ?? [];
        using var fewShot = references is null ? null : FewShot(cls, references);
        bool transductive = fewShot is not null && _options.FewShotScore == FewShotImageScore.Transductive;
        var accumulator = new ClassMetricsAccumulator(cls,
            transductive ? ImageScoreMode.BlendWithMapMax : ImageScoreMode.AsGiven, (long)samples.Count * size * size);
        bool pixelsKnown = true;
        int batch = Math.Max(1, _detector.Options.BatchSize);
        for (int start = 0; start < samples.Count; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = samples.Skip(start).Take(batch).ToArray();
            var images = chunk.Select(s => _decoder.Decode(s.ImagePath)).ToArray();
            var sources = chunk.Select(s => (string?)s.ImagePath).ToArray();
            var predictions = fewShot is not null ? fewShot.PredictBatch(images, cls, sources) : _detector.PredictBatch(images, cls, sources);
            for (int j = 0; j < chunk.Length; j++)
            {
                var (sample, result) = (chunk[j], predictions[j]);
                var map = result.Map;
                byte[] mask;
                if (sample.IsAnomaly && sample.MaskPath is not null) mask = maskPreprocessor.ToPixels(_decoder.Decode(sample.MaskPath));
                else
                {
                    pixelsKnown &= !sample.IsAnomaly;
                    mask = new byte[map.Values.Length];
                }
                accumulator.Add(map.Values, mask, map.Height, map.Width, sample.IsAnomaly, fewShot is null || transductive ? result.TextProbability : result.Score);
                OnImage?.Invoke(sample, result, images[j]);
                done++;
                Progress?.Report(new EvaluationProgress(cls, classIndex, Classes.Count, start + j + 1, samples.Count, done, total, sample.RelativeImagePath));
            }
        }
        var metrics = accumulator.Compute();
        return new ClassEvaluation(pixelsKnown ? metrics : ClassEvaluation.WithoutPixelMetrics(metrics), samples.Count,
            samples.Count(s => s.IsAnomaly), pixelsKnown, refs);
    }

    private FewShotDetector FewShot(string cls, FewShotReferences references)
    {
        var paths = references.AbsolutePaths(cls);
        var images = paths.Select(_decoder.Decode).ToArray();
        var detector = FewShotDetector.Create(_detector, Array.Empty<MemoryBank>());
        try
        {
            detector.AddBank(detector.BuildBank(images, references.ByClass[cls], cls, calibrate: _options.FewShotScore == FewShotImageScore.PerImage));
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    private List<KeyValuePair<string, string>> Settings()
    {
        var adapter = _detector.Adapter.Metadata;
        var o = _detector.Options;
        bool fewShot = _options.Mode == EvaluationMode.FewShot;
        var s = new List<KeyValuePair<string, string>>
        {
            new("mode", fewShot ? "few-shot" : "zero-shot"),
            new("dataset", _dataset.Root),
            new("classes", string.Join(",", Classes)),
            new("backbone", _detector.Clip.Config.Name),
            new("image_size", _detector.ImageSize.ToString(CultureInfo.InvariantCulture)),
            new("taps", string.Join(",", adapter.Taps)),
            new("activation", adapter.Activation),
            new("logit_scale", o.LogitScale.ToString("R", CultureInfo.InvariantCulture)),
            new("map", (o.AverageLayers ? "mean" : "sum") + " over layers" + (fewShot ? " + memory-bank distances" : "")
                + (o.SmoothingSigma > 0 ? string.Create(CultureInfo.InvariantCulture, $", gaussian sigma {o.SmoothingSigma}") : "")),
            new("image_score", !fewShot ? "text probability"
                : _options.FewShotScore == FewShotImageScore.Transductive
                    ? "0.5*(text probability + per-class min-max normalised map max) (transductive)"
                    : "0.5*(text probability + sigmoid((map max - mean)/std)), mean/std leave-one-out on the references (per-image)"),
            new("batch_size", Math.Max(1, o.BatchSize).ToString(CultureInfo.InvariantCulture)),
        };
        if (fewShot)
        {
            s.Add(new("few_shot_taps", string.Join(",", o.FewShotTaps ?? adapter.Taps)));
            if (_options.KShotFile is not null) s.Add(new("k_shot_file", Path.GetFullPath(_options.KShotFile)));
            else
            {
                s.Add(new("k", _options.K.ToString(CultureInfo.InvariantCulture)));
                s.Add(new("seed", _options.Seed.ToString(CultureInfo.InvariantCulture)));
                s.Add(new("reference_sampling", "with replacement from the train split, System.Random(seed), one stream over the classes in order"));
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
