using System.Diagnostics;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Server.Configuration;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace AnomalyClip.Server.Detectors;

/// <summary>
/// Builds the served classes of a <see cref="ServerOptions"/> with the libraries' own calls, as the CLI does for one
/// class: <see cref="AnomalyClip.Backbones.Backbone.ResNet18"/> + <see cref="CnnFewShotDetector"/>, or
/// <see cref="ClipModel.Load"/> + <see cref="ZeroShotDetector"/> (+ <see cref="FewShotDetector"/>); references picked
/// with <see cref="ReferenceSampling.Choose"/>. Classes with the same backbone settings share one detector (one set
/// of weights in memory), each with its own memory bank.
/// </summary>
internal sealed class DetectorFactory
{
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, CnnFewShotDetector> _resnets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ZeroShotDetector ZeroShot, FewShotDetector? FewShot)> _clips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _clipClasses = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    private DetectorFactory(ILogger logger) => _logger = logger;

    /// <summary>Loads every class of <paramref name="options"/>; checks <paramref name="cancel"/> between classes.</summary>
    /// <exception cref="ServerConfigException">A class cannot be built; the message names the class and the cause.</exception>
    public static DetectorSet Load(ServerOptions options, ILogger logger, CancellationToken cancel)
    {
        var factory = new DetectorFactory(logger);
        try
        {
            var classes = new List<ServedClass>();
            foreach (var (name, spec) in options.Classes)
            {
                cancel.ThrowIfCancellationRequested();
                classes.Add(factory.Build(name, spec, spec.Device ?? options.Device));
            }
            factory.FixClipClasses();
            return new DetectorSet(classes, factory._owned);
        }
        catch
        {
            for (int i = factory._owned.Count - 1; i >= 0; i--) factory._owned[i].Dispose();
            throw;
        }
    }

    private ServedClass Build(string name, DetectorSpec spec, string deviceName)
    {
        var where = $"class '{name}'";
        var watch = Stopwatch.StartNew();
        try
        {
            var device = DeviceNames.Parse(deviceName);
            AnomalyDetector detector = spec.Backbone == DetectorSpec.ResNet18 ? ResNet18(spec, device) : Clip(name, spec, device);
            if (spec.FewShot) AddBank((MemoryBankDetector)detector, name, spec);
            var thresholds = Thresholds(detector, name, spec);
            _logger.LogInformation("class {Class}: {Backbone} on {Device}, {Mode}, thresholds {Thresholds}, ready in {Seconds:F1} s", name, spec.Backbone,
                device, spec.FewShot ? "few-shot" : "zero-shot", thresholds?.Method ?? "none", watch.Elapsed.TotalSeconds);
            return new ServedClass(name, detector, thresholds, spec.Backbone);
        }
        catch (Exception e) when (e is not ServerConfigException and not OperationCanceledException)
        {
            // Typed library errors (ModelLoadException, ImageLoadException, ...) already name their file.
            throw new ServerConfigException(where, e.Message, e);
        }
    }

    private CnnFewShotDetector ResNet18(DetectorSpec spec, Device device)
    {
        int size = spec.ImageSize ?? 224;
        // auto (or no dtype) leaves the ResNet-18 at its own default, fp32.
        ScalarType? dtype = spec.Dtype is null || ComputePrecision.IsAuto(spec.Dtype) ? null : spec.PrecisionOn(device)!.DType;
        var key = $"{device}|{size}|{dtype}";
        if (_resnets.TryGetValue(key, out var shared)) return shared;
        var detector = CnnFewShotDetector.Create(AnomalyClip.Backbones.Backbone.ResNet18(device, size, dtype: dtype));
        _owned.Add(detector);
        _resnets[key] = detector;
        return detector;
    }

    private AnomalyDetector Clip(string name, DetectorSpec spec, Device device)
    {
        var dtype = spec.PrecisionOn(device)!.DType;
        var key = $"{device}|{spec.Model}|{spec.Adapter}|{spec.ImageSize}|{dtype}";
        if (!_clips.TryGetValue(key, out var pair))
        {
            // The adapter's metadata says which CLIP it was trained on (the paper's ViT-L-14-336 at 518 px for a .pth).
            var adapter = AdapterWeights.Load(spec.Adapter!, device);
            _owned.Add(adapter);
            var meta = adapter.Metadata;
            // The ViT's large buffers go back to the system when freed instead of staying resident (see NativeHeap).
            NativeHeap.ReturnLargeBlocksToSystem();
            var clip = ClipModel.Load(spec.Model ?? meta.Backbone, device, new ClipLoadOptions(spec.ImageSize ?? meta.ImageSize, meta.ActivationKind, dtype));
            _owned.Add(clip);
            var zeroShot = ZeroShotDetector.Create(clip, adapter);
            _owned.Add(zeroShot);
            pair = (zeroShot, null);
        }
        if (spec.FewShot && pair.FewShot is null)
        {
            pair.FewShot = FewShotDetector.Create(pair.ZeroShot);
            _owned.Add(pair.FewShot);
        }
        _clips[key] = pair;
        if (!_clipClasses.TryGetValue(key, out var names)) _clipClasses[key] = names = [];
        names.Add(name);
        return spec.FewShot ? pair.FewShot! : pair.ZeroShot;
    }

    /// <summary>
    /// The served classes are known now: each CLIP caches the text features of its classes and frees its text tower
    /// (about 0.5 GB of ViT-L-14 weights that no request would use).
    /// </summary>
    private void FixClipClasses()
    {
        foreach (var (key, (zeroShot, _)) in _clips)
        {
            var names = _clipClasses[key];
            try
            {
                zeroShot.TextFeatures.KeepOnly(names);
            }
            catch (InvalidOperationException e)
            {
                throw new ServerConfigException($"class '{names[0]}'", e.Message, e);
            }
        }
    }

    private static void AddBank(MemoryBankDetector detector, string name, DetectorSpec spec)
    {
        if (spec.Bank is string path)
        {
            var bank = MemoryBank.Load(path, detector.Device);
            if (bank.ClassName != name)
            {
                bank.Dispose();
                throw new ServerConfigException($"class '{name}'", $"{path}: the memory bank is of class '{bank.ClassName}'");
            }
            detector.AddBank(bank);
            return;
        }
        var chosen = ReferenceSampling.Choose(Images(spec.References!), spec.K, spec.Seed);
        detector.AddBank(detector.BuildBank(chosen, name));
    }

    private static DetectorThresholds? Thresholds(AnomalyDetector detector, string name, DetectorSpec spec)
    {
        if (spec.Thresholds is string file) return DetectorThresholds.Load(file);
        return spec.CalibrationNormals is string normals ? DetectorCalibration.FromNormals(detector, Images(normals), name) : null;
    }

    private static IReadOnlyList<string> Images(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder");
        var files = ImageFiles.Under(folder).ToArray();
        return files.Length > 0 ? files : throw new ArgumentException($"{folder}: no image files");
    }
}
