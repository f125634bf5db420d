using System.Globalization;
using AnomalyClip.Backbones;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.Maps;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// A few-shot detector on a CNN's patch features, no text tower, no download with <see cref="Backbone.ResNet18"/>
/// (PatchCore-style): each test patch's Euclidean distance to its nearest neighbour in the class's memory bank of k
/// normal references, upsampled to the map size and Gaussian-smoothed. It is few-shot only: a class needs a bank.
/// </summary>
/// <remarks>
/// <para>Score: σ((m − μ)/s − <see cref="ScoreOffset"/>) with m the map maximum and μ, s the mean and standard
/// deviation of the references' own map maxima measured leave-one-out (<see cref="FewShotCalibration"/>): a normal part
/// scores below 0.5 unless its worst patch is more than three standard deviations beyond what the references reach,
/// so 0.5 is a usable first threshold (calibrate for a better one). With k = 1 there is nothing to calibrate on and
/// the score is the raw map maximum (a distance, not in [0, 1]).</para>
/// <para>Precision: the backbone's convolutions may run in bf16 (<see cref="IFeatureBackbone.Precision"/>), but its
/// features and the banks stay float32: a Euclidean search in bf16 would round |b|² − 2 b·q, values in the hundreds
/// whose differences decide the neighbour, and the coreset keeps this GEMM small anyway.</para>
/// <para>Ownership: the detector owns its backbone and its banks.</para>
/// </remarks>
public sealed class CnnFewShotDetector : MemoryBankDetector
{
    /// <summary>Standard deviations beyond the references' mean map maximum at which the score crosses 0.5.</summary>
    public const double ScoreOffset = 3;

    /// <summary>Floor of the calibration's standard deviation, as a fraction of the references' mean map maximum.</summary>
    public const double RelativeMinStd = 0.02;

    private readonly IFeatureBackbone _backbone;
    private readonly CnnPatchFeatureSource _features;

    private CnnFewShotDetector(IFeatureBackbone backbone, CnnFewShotOptions options, ImageDecoder? decoder)
    {
        if (options.BatchSize < 1) throw new ArgumentException($"the batch size must be at least 1, got {options.BatchSize}");
        if (!(options.SmoothingSigma >= 0)) throw new ArgumentException($"the smoothing sigma must be ≥ 0, got {options.SmoothingSigma}");
        if (options.CoresetFraction is double f && !(f > 0 && f <= 1)) throw new ArgumentException($"the coreset fraction must be in (0, 1], got {f}");
        _backbone = backbone;
        _features = new CnnPatchFeatureSource(backbone, options.LayersOrDefault, options.Neighbourhood, options.GridLayerOrDefault);
        Options = options;
        Decoder = decoder ?? new ImageDecoder();
    }

    /// <summary>The options in force.</summary>
    public CnnFewShotOptions Options { get; }

    /// <summary>The CNN (owned).</summary>
    public IFeatureBackbone Backbone => _backbone;

    /// <inheritdoc />
    public override IPatchFeatureSource Features => _features;

    /// <inheritdoc />
    public override ImageDecoder Decoder { get; }

    /// <inheritdoc />
    public override int MapSize => _backbone.InputSize;

    /// <inheritdoc />
    public override int BatchSize => Options.BatchSize;

    /// <inheritdoc />
    public override Device Device => _backbone.Device;

    /// <inheritdoc />
    public override string ScoreDescription =>
        "sigmoid((map max - mean)/std - 3), mean/std of the references' map maxima leave-one-out (the raw map max for k = 1)";

    /// <inheritdoc />
    public override string MapDescription =>
        $"Euclidean distance to the nearest memory-bank patch ({_features.Description}), bilinear upsampling" +
        (Options.SmoothingSigma > 0 ? string.Create(CultureInfo.InvariantCulture, $", gaussian sigma {Options.SmoothingSigma}") : "");

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, string>> Settings
    {
        get
        {
            var inv = CultureInfo.InvariantCulture;
            return
            [
                new("backbone", _backbone.Name),
                new("image_size", MapSize.ToString(inv)),
                new("layers", string.Join(",", Options.LayersOrDefault)),
                new("grid_layer", Options.GridLayerOrDefault),
                new("neighbourhood", Options.Neighbourhood.ToString(inv)),
                new("coreset", Options.CoresetFraction?.ToString("R", inv) ?? "all rows"),
                new("augmentation", Options.Augmentation.ToString()),
                new("batch_size", BatchSize.ToString(inv)),
            ];
        }
    }

    /// <inheritdoc />
    /// <remarks>From the class's calibration: a normal part's worst patch (about the mean) falls in the lower half of
    /// the range and a patch <see cref="ScoreOffset"/> standard deviations beyond it in the upper quarter.</remarks>
    public override (double Min, double Max)? MapRange(string? className) =>
        Banks.TryGetValue(ClassKey(className), out var bank) && bank.Calibration is { } c
            ? (Math.Max(0, c.Mean - ScoreOffset * c.Std), c.Mean + (ScoreOffset + 2) * c.Std)
            : null;

    /// <summary>Creates a detector with a bank built from reference image files of one class.</summary>
    /// <param name="backbone">The CNN, e.g. <see cref="Backbone.ResNet18"/> (taken over: disposed with the detector).</param>
    /// <param name="referenceImages">Normal reference images of the class (k files).</param>
    /// <param name="className">Their class (null = "object").</param>
    /// <param name="options">Options; <see cref="CnnFewShotOptions.Default"/> when null.</param>
    /// <param name="decoder">Image decoder (pixel limits); the default when null.</param>
    /// <exception cref="ArgumentException">No references, or bad options.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">A reference cannot be read.</exception>
    public static CnnFewShotDetector Create(IFeatureBackbone backbone, IReadOnlyList<string> referenceImages, string? className = null,
        CnnFewShotOptions? options = null, ImageDecoder? decoder = null)
    {
        var detector = Create(backbone, options, decoder);
        try
        {
            detector.AddBank(detector.BuildBank(referenceImages, className));
            return detector;
        }
        catch
        {
            detector.Dispose();
            throw;
        }
    }

    /// <summary>Creates a detector without banks (build, add or load them per class); takes over <paramref name="backbone"/>.</summary>
    /// <exception cref="ArgumentException">Bad options.</exception>
    public static CnnFewShotDetector Create(IFeatureBackbone backbone, CnnFewShotOptions? options = null, ImageDecoder? decoder = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        try
        {
            return new CnnFewShotDetector(backbone, options ?? CnnFewShotOptions.Default, decoder);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override Tensor Preprocess(IReadOnlyList<DecodedImage> images) => _features.Preprocess(images);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A class has no memory bank.</exception>
    public override IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        if (images.shape[0] != classNames.Count) throw new ArgumentException($"{images.shape[0]} images but {classNames.Count} class names");
        foreach (var c in classNames.Distinct()) BankFor(c);
        using var scope = NewDisposeScope();
        using var features = _features.Extract(images);
        var maps = FinalMaps(null, BankLayerMaps(features, BankFor, classes: classNames).sum(0, keepdim: false));
        return ResultFactory.Create(maps, null, classNames, sources, originalSizes, (i, _, map) => Score(map, classNames[i]));
    }

    // The one place this detector's image score is decided.
    private double Score(AnomalyMap map, string? className)
    {
        var calibration = BankFor(className).Calibration;
        return calibration is null ? map.Max : 1.0 / (1.0 + Math.Exp(-(calibration.Standardize(map.Max) - ScoreOffset)));
    }

    private protected override ReferenceEncoding EncodeReferences(Tensor images, string? className) => new(_features.Extract(images), null);

    private protected override Tensor FinalMaps(Tensor? baseMaps, Tensor bankMaps) =>
        Options.SmoothingSigma > 0 ? GaussianSmoothing.Apply(bankMaps, Options.SmoothingSigma) : bankMaps;

    private protected override Tensor UpsampleToMap(Tensor patchValues)
    {
        long n = patchValues.shape[0];
        int g = PatchFeatures.GridOf(patchValues.shape[1]);
        var grid = patchValues.reshape(n, 1, g, g);
        return nn.functional.interpolate(grid, [MapSize, MapSize], mode: InterpolationMode.Bilinear, align_corners: false)[.., 0].contiguous();
    }

    private protected override IEnumerable<DecodedImage> ReferenceViews(DecodedImage reference) => ImageViews.Of(reference, Options.Augmentation);

    private protected override void FinishBank(MemoryBank bank)
    {
        if (Options.CoresetFraction is not double fraction || fraction >= 1) return;
        foreach (var layer in bank.LayerNames)
        {
            long rows = bank.RowCount(layer);
            int keep = (int)Math.Max(1, Math.Round(fraction * rows));
            using var picked = CoresetSampler.Select(bank.Layers[bank.LayerNames.ToList().IndexOf(layer)], keep, Options.Seed);
            bank.KeepRows(layer, picked);
        }
    }

    private protected override double CalibrationMinStd(IReadOnlyList<double> maxima) => Math.Max(1e-6, RelativeMinStd * Math.Abs(maxima.Average()));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _backbone.Dispose();
    }
}
