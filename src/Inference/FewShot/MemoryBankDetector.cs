using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// A few-shot detector: per class a <see cref="MemoryBank"/> of patch features of k normal reference images, and an
/// anomaly map from each test patch's distance to its nearest bank row. Building a bank encodes each reference once,
/// and that single pass also measures the per-image score calibration (<see cref="FewShotCalibration"/>).
/// </summary>
/// <remarks>Ownership: the detector owns its banks (added, built or loaded into it) and disposes them.</remarks>
public abstract class MemoryBankDetector : AnomalyDetector
{
    private readonly Dictionary<string, MemoryBank> _banks = new(StringComparer.Ordinal);

    private protected MemoryBankDetector()
    {
    }

    /// <summary>Memory banks by class.</summary>
    public IReadOnlyDictionary<string, MemoryBank> Banks => _banks;

    /// <summary>The patch features the banks hold and are searched with.</summary>
    public abstract IPatchFeatureSource Features { get; }

    /// <summary>Adds (or replaces, disposing the old one) the bank of <see cref="MemoryBank.ClassName"/>; takes ownership.</summary>
    /// <exception cref="ArgumentException">The bank's layers or metric are not this detector's.</exception>
    public void AddBank(MemoryBank bank)
    {
        var missing = Features.LayerNames.Where(l => !bank.LayerNames.Contains(l)).ToArray();
        if (missing.Length > 0) throw new ArgumentException($"memory bank of '{bank.ClassName}' lacks layers {string.Join(",", missing)} (it has {string.Join(",", bank.LayerNames)})");
        if (bank.Metric != Features.Metric) throw new ArgumentException($"memory bank of '{bank.ClassName}' is searched by {bank.Metric}, this detector needs {Features.Metric}");
        if (_banks.Remove(bank.ClassName, out var old) && !ReferenceEquals(old, bank)) old.Dispose();
        _banks[bank.ClassName] = bank;
    }

    /// <summary>Removes and disposes the bank of <paramref name="className"/>; false when there is none.</summary>
    public bool RemoveBank(string? className)
    {
        if (!_banks.Remove(ClassKey(className), out var bank)) return false;
        bank.Dispose();
        return true;
    }

    /// <summary>Builds a class's bank from reference image files (see the decoded-image overload).</summary>
    /// <exception cref="ArgumentException">No references.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">A reference cannot be read.</exception>
    public MemoryBank BuildBank(IReadOnlyList<string> referenceImages, string? className, bool calibrate = true)
    {
        if (referenceImages.Count == 0) throw new ArgumentException("few-shot needs at least one normal reference image");
        var images = referenceImages.Select(p => Decoder.Decode(p)).ToArray();
        return BuildBank(images, referenceImages, className, calibrate);
    }

    /// <summary>
    /// Builds a class's memory bank from decoded normal reference images, <see cref="AnomalyDetector.BatchSize"/> per
    /// pass, each reference encoded once. With <paramref name="calibrate"/> and k ≥ 2, the same pass also gives the
    /// per-image score statistics: each reference's map against the bank without its own rows. The bank is returned,
    /// not added (see <see cref="AddBank"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No references, or not one name per image.</exception>
    public MemoryBank BuildBank(IReadOnlyList<DecodedImage> images, IReadOnlyList<string> names, string? className, bool calibrate = true)
    {
        if (images.Count == 0) throw new ArgumentException("few-shot needs at least one normal reference image");
        if (names.Count != images.Count) throw new ArgumentException($"{names.Count} names for {images.Count} reference images");
        bool measure = calibrate && images.Count >= 2;
        var kept = new List<ReferenceEncoding>();
        MemoryBank? bank = null;
        try
        {
            int batch = Math.Max(1, BatchSize);
            for (int start = 0; start < images.Count; start += batch)
            {
                using var scope = NewDisposeScope();
                var chunk = images.Skip(start).Take(batch).ToArray();
                var chunkNames = names.Skip(start).Take(batch).ToArray();
                var views = chunk.SelectMany(ReferenceViews).ToArray();
                using var pass = EncodeReferences(Preprocess(views), className);
                if (bank is null) bank = MemoryBank.FromFeatures(ClassKey(className), Features.Metric, pass.Features, chunkNames, BankRowDType);
                else bank.Extend(pass.Features, chunkNames);
                if (measure) kept.Add(pass.EveryNth(views.Length / chunk.Length).DetachFromDisposeScope());
            }
            FinishBank(bank!);
            if (measure) bank!.Calibration = Calibrate(bank, kept);
            return bank!;
        }
        catch
        {
            bank?.Dispose();
            throw;
        }
        finally
        {
            foreach (var k in kept) k.Dispose();
        }
    }

    // Each reference's map against the bank without its own rows: the maxima a normal image reaches.
    private FewShotCalibration Calibrate(MemoryBank bank, IReadOnlyList<ReferenceEncoding> passes)
    {
        var maxima = new List<double>();
        int reference = 0;
        foreach (var pass in passes)
            for (int i = 0; i < pass.Count; i++, reference++)
            {
                using var scope = NewDisposeScope();
                using var features = pass.Features.Slice(i, 1);
                var bankMap = BankLayerMaps(features, _ => bank, reference).sum(0, keepdim: false);
                var map = FinalMaps(pass.BaseMaps?.narrow(0, i, 1), bankMap);
                maxima.Add(map.max().item<float>());
            }
        return FewShotCalibration.FromMaxima(maxima, CalibrationMinStd(maxima));
    }

    /// <summary>
    /// Per bank layer the distance map [L, N, S, S]: every patch's distance to the bank of its image's class, upsampled
    /// to the map size; <paramref name="exclude"/> leaves one reference's rows out.
    /// </summary>
    private protected Tensor BankLayerMaps(PatchFeatures features, Func<string?, MemoryBank> bankOf, int? exclude = null, IReadOnlyList<string?>? classes = null)
    {
        using var scope = NewDisposeScope();
        var perLayer = new List<Tensor>();
        bool oneClass = classes is null || classes.Distinct().Count() == 1;
        foreach (var layer in Features.LayerNames)
        {
            var query = features[layer];
            Tensor distances;
            if (oneClass) distances = bankOf(classes?[0]).Distance(layer, query, exclude);
            else
            {
                // Images of one batch may belong to different classes: each is compared with its own bank.
                var rows = new Tensor[classes!.Count];
                for (int i = 0; i < rows.Length; i++) rows[i] = bankOf(classes[i]).Distance(layer, query[i..(i + 1)], exclude);
                distances = cat(rows, 0);
            }
            perLayer.Add(UpsampleToMap(distances));
        }
        return stack(perLayer.ToArray(), 0).MoveToOuterDisposeScope();
    }

    /// <summary>The bank of <paramref name="className"/>.</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    private protected MemoryBank BankFor(string? className)
    {
        var key = ClassKey(className);
        return _banks.TryGetValue(key, out var bank) ? bank
            : throw new ArgumentException($"no memory bank for class '{key}' (banks: {string.Join(", ", _banks.Keys)})");
    }

    private protected static string ClassKey(string? className) => className ?? ClassNames.DefaultObject;

    /// <summary>One pass over preprocessed reference images: bank features (and the map part not from the bank).</summary>
    private protected abstract ReferenceEncoding EncodeReferences(Tensor images, string? className);

    /// <summary>Final maps [N, S, S] from the part not from the bank (or null) and the summed bank maps.</summary>
    private protected abstract Tensor FinalMaps(Tensor? baseMaps, Tensor bankMaps);

    /// <summary>Per-patch values [N, G·G] to maps [N, S, S].</summary>
    private protected abstract Tensor UpsampleToMap(Tensor patchValues);

    /// <summary>The views a reference contributes to its bank (itself; augmented copies where enabled).</summary>
    private protected virtual IEnumerable<DecodedImage> ReferenceViews(DecodedImage reference) => [reference];

    /// <summary>The dtype the banks this detector builds store their rows in (float32 unless a detector says otherwise).</summary>
    private protected virtual ScalarType BankRowDType => ScalarType.Float32;

    /// <summary>Last step of building a bank, e.g. subsampling its rows.</summary>
    private protected virtual void FinishBank(MemoryBank bank)
    {
    }

    /// <summary>The floor of the calibration's standard deviation, in map units.</summary>
    private protected virtual double CalibrationMinStd(IReadOnlyList<double> maxima) => FewShotCalibration.MinStd;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var b in _banks.Values) b.Dispose();
        _banks.Clear();
    }
}
