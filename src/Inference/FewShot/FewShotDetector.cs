using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// APRIL-GAN's few-shot detector: the zero-shot map plus, for each memory-bank layer, 1 − max cosine similarity of
/// every patch to k normal reference images of the class. One encoder pass per test image serves both parts.
/// </summary>
public sealed class FewShotDetector : IDisposable
{
    private readonly Dictionary<string, MemoryBank> _banks = new(StringComparer.Ordinal);
    private readonly ZeroShotDetector _zeroShot;

    private FewShotDetector(ZeroShotDetector zeroShot) => _zeroShot = zeroShot;

    /// <summary>The zero-shot detector underneath (not owned).</summary>
    public ZeroShotDetector ZeroShot => _zeroShot;

    /// <summary>Memory banks by class.</summary>
    public IReadOnlyDictionary<string, MemoryBank> Banks => _banks;

    /// <summary>Creates a few-shot detector with banks built from reference image files of one class.</summary>
    /// <param name="zeroShot">The zero-shot detector (not owned).</param>
    /// <param name="referenceImages">Normal reference images of the class (k files).</param>
    /// <param name="className">Their class (null = "object").</param>
    /// <param name="calibrate">Measure the per-image score statistics leave-one-out (needs k ≥ 2).</param>
    public static FewShotDetector Create(ZeroShotDetector zeroShot, IReadOnlyList<string> referenceImages, string? className = null, bool calibrate = true)
    {
        var detector = new FewShotDetector(zeroShot);
        detector.AddBank(detector.BuildBank(referenceImages, className, calibrate));
        return detector;
    }

    /// <summary>Creates a few-shot detector over existing banks (taken over: disposed with the detector).</summary>
    public static FewShotDetector Create(ZeroShotDetector zeroShot, IEnumerable<MemoryBank> banks)
    {
        var detector = new FewShotDetector(zeroShot);
        foreach (var b in banks) detector.AddBank(b);
        return detector;
    }

    /// <summary>Adds (or replaces) the bank of <see cref="MemoryBank.ClassName"/>.</summary>
    public void AddBank(MemoryBank bank)
    {
        var missing = ZeroShot.Core.FewShotTaps.Where(t => !bank.Taps.Contains(t)).ToArray();
        if (missing.Length > 0) throw new ArgumentException($"memory bank of '{bank.ClassName}' lacks blocks {string.Join(",", missing)}");
        if (_banks.Remove(bank.ClassName, out var old) && !ReferenceEquals(old, bank)) old.Dispose();
        _banks[bank.ClassName] = bank;
    }

    /// <summary>
    /// Builds a class's memory bank from reference image files: raw tokens of the few-shot blocks, extracted in
    /// float32 without the adapter. With <paramref name="calibrate"/> and k ≥ 2, also the per-image score statistics.
    /// </summary>
    /// <exception cref="ArgumentException">No references.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">A reference cannot be read.</exception>
    public MemoryBank BuildBank(IReadOnlyList<string> referenceImages, string? className, bool calibrate = true)
    {
        if (referenceImages.Count == 0) throw new ArgumentException("few-shot needs at least one normal reference image");
        var images = referenceImages.Select(p => ZeroShot.Core.Decoder.Decode(p)).ToArray();
        return BuildBank(images, referenceImages, className, calibrate);
    }

    /// <summary>Builds a bank from decoded reference images (see the path overload).</summary>
    public MemoryBank BuildBank(IReadOnlyList<DecodedImage> images, IReadOnlyList<string> names, string? className, bool calibrate = true)
    {
        var key = className ?? Adapter.Prompts.ClassNames.DefaultObject;
        var core = ZeroShot.Core;
        MemoryBank? bank = null;
        foreach (var (chunk, chunkNames) in Chunks(images, names, Math.Max(1, core.Options.BatchSize)))
        {
            using var scope = NewDisposeScope();
            using var enc = core.Clip.EncodeImage(core.Batch(chunk), core.FewShotTaps, pooled: false);
            if (bank is null) bank = MemoryBank.FromTokens(key, core.FewShotTaps, enc.Tokens, chunkNames);
            else bank.Extend(enc.Tokens, chunkNames);
        }
        if (calibrate && bank!.Count >= 2) bank.Calibration = Calibrate(bank, images, className);
        return bank!;
    }

    // Each reference's combined map against a bank of the others: the maxima a normal image reaches.
    private FewShotCalibration Calibrate(MemoryBank bank, IReadOnlyList<DecodedImage> images, string? className)
    {
        var core = ZeroShot.Core;
        var maxima = new List<double>();
        for (int j = 0; j < images.Count; j++)
        {
            using var scope = NewDisposeScope();
            using var outputs = core.Forward(core.Batch([images[j]]), [className], _ => bank, excludeReference: j);
            maxima.Add(outputs.Map.max().item<float>());
        }
        return FewShotCalibration.FromMaxima(maxima);
    }

    /// <summary>Decodes <paramref name="imagePath"/> and predicts with the bank of <paramref name="className"/>.</summary>
    public AnomalyResult Predict(string imagePath, string? className = null) =>
        PredictBatch([ZeroShot.Core.Decoder.Decode(imagePath)], className, [imagePath])[0];

    /// <summary>Predicts decoded images of one class. The score is the per-image form (see <see cref="FewShotCalibration"/>).</summary>
    public IReadOnlyList<AnomalyResult> PredictBatch(IReadOnlyList<DecodedImage> images, string? className = null, IReadOnlyList<string?>? sources = null)
    {
        var results = new List<AnomalyResult>(images.Count);
        int batch = Math.Max(1, ZeroShot.Options.BatchSize);
        for (int start = 0; start < images.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            var chunk = images.Skip(start).Take(batch).ToArray();
            results.AddRange(PredictTensor(ZeroShot.Core.Batch(chunk), Enumerable.Repeat(className, chunk.Length).ToArray(),
                sources?.Skip(start).Take(chunk.Length).ToArray(), chunk.Select(c => (c.Width, c.Height)).ToArray()));
        }
        return results;
    }

    /// <summary>Predicts already-preprocessed images [N,3,S,S], one class name per image.</summary>
    /// <exception cref="ArgumentException">A class has no memory bank.</exception>
    public IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        using var outputs = Forward(images, classNames);
        return ResultFactory.Create(outputs, classNames, sources, originalSizes, (i, p, map) =>
        {
            var calibration = BankFor(classNames[i]).Calibration;
            return calibration is null ? p : 0.5 * (p + calibration.Normalize(map.Max));
        });
    }

    internal DetectionOutputs Forward(Tensor images, IReadOnlyList<string?> classNames) => ZeroShot.Core.Forward(images, classNames, BankFor);

    /// <summary>
    /// APRIL-GAN's transductive few-shot image score over a set of test images of ONE class:
    /// ½(text probability + (m − min m)/(max m − min m)) with m the map maxima of that set (float64).
    /// </summary>
    public static double[] TransductiveScores(IReadOnlyList<double> textProbabilities, IReadOnlyList<double> mapMaxima)
    {
        if (textProbabilities.Count != mapMaxima.Count) throw new ArgumentException("one text probability per map maximum");
        if (mapMaxima.Count == 0) return [];
        double min = mapMaxima.Min(), max = mapMaxima.Max();
        return mapMaxima.Select((m, i) => 0.5 * (textProbabilities[i] + (m - min) / (max - min))).ToArray();
    }

    /// <summary>Rescores results of one class with <see cref="TransductiveScores"/>.</summary>
    public static IReadOnlyList<AnomalyResult> ApplyTransductiveScores(IReadOnlyList<AnomalyResult> resultsOfOneClass)
    {
        var scores = TransductiveScores(resultsOfOneClass.Select(r => r.TextProbability).ToArray(), resultsOfOneClass.Select(r => r.MapMax).ToArray());
        return resultsOfOneClass.Select((r, i) => r.WithScore(scores[i])).ToArray();
    }

    private MemoryBank BankFor(string? className)
    {
        var key = className ?? Adapter.Prompts.ClassNames.DefaultObject;
        return _banks.TryGetValue(key, out var bank) ? bank
            : throw new ArgumentException($"no memory bank for class '{key}' (banks: {string.Join(", ", _banks.Keys)})");
    }

    private static IEnumerable<(DecodedImage[] Images, string[] Names)> Chunks(IReadOnlyList<DecodedImage> images, IReadOnlyList<string> names, int size)
    {
        for (int i = 0; i < images.Count; i += size)
            yield return (images.Skip(i).Take(size).ToArray(), names.Skip(i).Take(size).ToArray());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var b in _banks.Values) b.Dispose();
        _banks.Clear();
    }
}
