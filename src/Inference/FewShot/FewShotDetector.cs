using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.Maps;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// APRIL-GAN's few-shot detector: the zero-shot map plus, for each memory-bank layer, 1 − max cosine similarity of
/// every patch to k normal reference images of the class. One encoder pass per test image serves both parts.
/// </summary>
/// <remarks>
/// Score: ½(text probability + σ((m − μ)/s)) with m the map maximum and μ, s its mean and standard deviation over
/// the references scored leave-one-out (<see cref="FewShotCalibration"/>); the text probability alone for a bank
/// without calibration (k = 1). APRIL-GAN's own score is transductive (<see cref="TransductiveScores"/>).
/// Ownership: the detector owns its banks; the zero-shot detector underneath stays the caller's.
/// </remarks>
public sealed class FewShotDetector : MemoryBankDetector
{
    private FewShotDetector(ZeroShotDetector zeroShot) => ZeroShot = zeroShot;

    /// <summary>The zero-shot detector underneath (not owned).</summary>
    public ZeroShotDetector ZeroShot { get; }

    private DetectorCore Core => ZeroShot.Core;

    /// <inheritdoc />
    public override IPatchFeatureSource Features => Core.Features;

    /// <inheritdoc />
    public override ImageDecoder Decoder => Core.Decoder;

    /// <inheritdoc />
    public override int MapSize => Core.ImageSize;

    /// <inheritdoc />
    public override int BatchSize => ZeroShot.BatchSize;

    /// <inheritdoc />
    public override Device Device => ZeroShot.Device;

    /// <inheritdoc />
    public override string ScoreDescription =>
        "0.5*(text probability + sigmoid((map max - mean)/std)), mean/std leave-one-out on the references (text probability alone for k = 1)";

    /// <inheritdoc />
    public override string MapDescription => (Core.Options.AverageLayers ? "mean" : "sum") + " over layers of the text-patch abnormal probability + memory-bank distances (1 - cos)"
        + ZeroShotDetector.SmoothingNote(Core.Options);

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, string>> Settings
    {
        get
        {
            var s = ZeroShotDetector.ClipSettings(Core);
            s.Add(new("few_shot_taps", string.Join(",", Core.FewShotTaps)));
            return s;
        }
    }

    /// <inheritdoc />
    public override (double Min, double Max)? MapRange(string? className) =>
        (0, (Core.Options.AverageLayers ? 1 : Core.Adapter.Metadata.Taps.Count) + 2.0 * Core.FewShotTaps.Count);

    /// <summary>Creates a few-shot detector with a bank built from reference image files of one class.</summary>
    /// <param name="zeroShot">The zero-shot detector (not owned).</param>
    /// <param name="referenceImages">Normal reference images of the class (k files).</param>
    /// <param name="className">Their class (null = "object").</param>
    /// <param name="calibrate">Measure the per-image score statistics leave-one-out (needs k ≥ 2).</param>
    public static FewShotDetector Create(ZeroShotDetector zeroShot, IReadOnlyList<string> referenceImages, string? className = null, bool calibrate = true)
    {
        var detector = new FewShotDetector(zeroShot);
        try
        {
            detector.AddBank(detector.BuildBank(referenceImages, className, calibrate));
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>Creates a few-shot detector over existing banks (taken over: disposed with the detector); none is fine
    /// when banks are built or added later.</summary>
    public static FewShotDetector Create(ZeroShotDetector zeroShot, IEnumerable<MemoryBank>? banks = null)
    {
        var detector = new FewShotDetector(zeroShot);
        foreach (var b in banks ?? []) detector.AddBank(b);
        return detector;
    }

    /// <inheritdoc />
    public override Tensor Preprocess(IReadOnlyList<DecodedImage> images) => Core.Features.Preprocess(images);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A class has no memory bank.</exception>
    public override IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        using var outputs = Forward(images, classNames);
        return ResultFactory.Create(outputs.Map, outputs.TextProbs, classNames, sources, originalSizes, (i, p, map) => Score(p!.Value, map, classNames[i]));
    }

    // The one place the few-shot image score is decided.
    private double Score(double textProbability, AnomalyMap map, string? className)
    {
        var calibration = BankFor(className).Calibration;
        return calibration is null ? textProbability : 0.5 * (textProbability + calibration.Normalize(map.Max));
    }

    internal DetectionOutputs Forward(Tensor images, IReadOnlyList<string?> classNames)
    {
        foreach (var c in classNames.Distinct()) BankFor(c);
        return Core.Forward(images, classNames, features => BankLayerMaps(features, BankFor, classes: classNames));
    }

    private protected override ReferenceEncoding EncodeReferences(Tensor images, string? className) => Core.EncodeReferences(images, className);

    private protected override Tensor FinalMaps(Tensor? baseMaps, Tensor bankMaps) => Core.Smooth(baseMaps! + bankMaps.to(baseMaps!.device));

    // Cosine scores of unit rows lie in [−1, 1], where a reduced-precision search loses little; rows in CLIP's compute
    // dtype halve the bank and let the search run at the encoder's GEMM speed.
    private protected override ScalarType BankRowDType => Core.Clip.DType;

    private protected override Tensor UpsampleToMap(Tensor patchValues) => ZeroShotMaps.UpsamplePatchValues(patchValues, Core.ImageSize);
}
