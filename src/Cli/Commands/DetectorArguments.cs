using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using TorchSharp;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// The options that choose and build a detector, shared by <c>predict</c>, <c>calibrate</c> and <c>test</c>: the
/// backbone (CLIP with APRIL-GAN's adapter, or the offline ResNet-18), CLIP's model options, batch size and map
/// smoothing. Commands get an <see cref="AnomalyDetector"/> and never branch on the backbone themselves.
/// </summary>
internal sealed class DetectorArguments
{
    public const string ClipBackbone = "clip";
    public const string ResNet18Backbone = "resnet18";

    public readonly ModelArguments Model = new();
    public readonly Option<string?> Backbone = new("--backbone")
    {
        Description = "clip (APRIL-GAN: a CLIP model and --adapter) or resnet18 (the ImageNet ResNet-18 shipped with AnomalyClip: few-shot only, " +
            "no download). Default: clip when --adapter, --model or --model-dir is given, else resnet18.",
    };
    public readonly Option<int> BatchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 }.Between(1, 1024);
    public readonly Option<double?> Smoothing = new Option<double?>("--smoothing") { Description = "Gaussian smoothing sigma of the map in pixels (clip: 0 = off, the paper; resnet18: 4)." }.Between(0, 1000);
    public readonly Option<double?> Coreset = new Option<double?>("--coreset") { Description = "resnet18: keep this fraction of each memory bank's rows, picked by greedy coreset subsampling (default 0.1; 1 keeps all)." }.Between(0, 1, minExclusive: true);
    public readonly Option<string?> Layers = new("--layers") { Description = "resnet18: comma-separated layers whose features are joined, on layer2's grid when it is among them (default layer1,layer2,layer3)." };
    public readonly Option<string?> Augment = new("--augment") { Description = "resnet18: extra views of each reference in its bank: none, flips (the default: mirror images), rotations or all." };

    public void AddTo(Command command)
    {
        command.Options.Add(Backbone);
        command.Options.Add(BatchSize);
        command.Options.Add(Smoothing);
        command.Options.Add(Coreset);
        command.Options.Add(Layers);
        command.Options.Add(Augment);
        Model.AddTo(command);
    }

    /// <summary>The backbone asked for, or the default for the options given.</summary>
    public string BackboneOf(ParseResult r)
    {
        var named = r.GetValue(Backbone)?.Trim().ToLowerInvariant();
        if (named is null)
            return r.GetValue(Model.Adapter) is not null || r.GetValue(Model.ModelDir) is not null || r.GetValue(Model.Model) is not null ? ClipBackbone : ResNet18Backbone;
        if (named is ClipBackbone or ResNet18Backbone) return named;
        throw new ArgumentException($"--backbone: unknown backbone '{named}' (clip, resnet18)");
    }

    /// <summary>
    /// Builds the detector: zero-shot, or a few-shot one without banks yet (<paramref name="fewShot"/>) that the command
    /// fills from references, a saved bank or a dataset.
    /// </summary>
    public DetectorSession Open(ParseResult r, bool fewShot)
    {
        int batch = r.GetValue(BatchSize);
        double? sigma = r.GetValue(Smoothing);
        if (BackboneOf(r) == ClipBackbone)
        {
            if (r.GetValue(Coreset) is not null || r.GetValue(Augment) is not null || r.GetValue(Layers) is not null)
                throw new ArgumentException("--coreset, --layers and --augment apply to --backbone resnet18");
            return OpenClip(r, fewShot, batch, sigma ?? 0);
        }
        if (!fewShot) throw new ArgumentException("--backbone resnet18 is few-shot only (it has no text tower): give --reference DIR (predict, calibrate) or --mode few-shot (test)");
        return OpenResNet18(r, batch, sigma ?? CnnFewShotOptions.Default.SmoothingSigma);
    }

    private DetectorSession OpenResNet18(ParseResult r, int batch, double sigma)
    {
        foreach (var clipOnly in new Option[] { Model.Adapter, Model.ModelDir, Model.Model, Model.TokenizerFile, Model.Activation, Model.Taps })
            if (r.GetResult(clipOnly) is { Implicit: false }) throw new ArgumentException($"{clipOnly.Name} applies to --backbone clip, not resnet18");
        double? coreset = r.GetValue(Coreset);
        var augmentation = AugmentationOr(r.GetValue(Augment));
        int size = r.GetValue(Model.ImageSize) ?? 224;
        var options = CnnOptions(r.GetValue(Layers)) with
        {
            SmoothingSigma = sigma, CoresetFraction = coreset ?? CnnFewShotOptions.Default.CoresetFraction, Augmentation = augmentation, BatchSize = batch,
        };
        var device = Model.ParseDevice(r);
        var dtype = r.GetValue(Model.DType)!;
        var backbone = AnomalyClip.Backbones.Backbone.ResNet18(device, size, dtype: DTypeOption.Explicit(dtype, device));
        var precision = DTypeOption.Report(dtype, backbone.Precision);
        var detector = CnnFewShotDetector.Create(backbone, options);
        var details = new Dictionary<string, string>
        {
            ["detector"] = ResNet18Backbone, ["device"] = backbone.Device.ToString(),
            ["dtype"] = ComputePrecision.ShortName(backbone.Precision.DType), ["dtype_choice"] = precision.Reason,
        };
        return new DetectorSession(detector, [], details);
    }

    private DetectorSession OpenClip(ParseResult r, bool fewShot, int batch, double sigma)
    {
        var owned = new List<IDisposable>();
        try
        {
            var clip = Model.LoadClipForAdapter(r, Model.NativeAdapterMetadata(r));
            owned.Add(clip);
            var adapter = Model.LoadAdapter(r, clip);
            owned.Add(adapter);
            var zeroShot = ZeroShotDetector.Create(clip, adapter, options: AprilGanOptions.Paper with { BatchSize = batch, SmoothingSigma = sigma });
            var details = new Dictionary<string, string>
            {
                ["detector"] = ClipBackbone,
                ["model"] = r.GetValue(Model.ModelDir) ?? r.GetValue(Model.Model) ?? clip.Config.Name,
                ["adapter"] = Path.GetFullPath(r.GetValue(Model.Adapter)!),
                ["device"] = clip.Device.ToString(),
                ["dtype"] = ComputePrecision.ShortName(clip.DType),
                ["dtype_choice"] = DTypeOption.Chosen(r.GetValue(Model.DType)!, clip.Precision).Reason,
            };
            if (!fewShot) return new DetectorSession(zeroShot, owned, details, zeroShot.TextFeatures);
            owned.Add(zeroShot);
            return new DetectorSession(FewShotDetector.Create(zeroShot), owned, details, zeroShot.TextFeatures);
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            throw;
        }
    }

    /// <summary>The CNN options for a --layers value (the default layers when null).</summary>
    public static CnnFewShotOptions CnnOptions(string? layers)
    {
        if (layers is null) return CnnFewShotOptions.Default;
        var names = layers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new ArgumentException("--layers: give at least one layer, e.g. layer2,layer3");
        return new CnnFewShotOptions(Layers: names);
    }

    /// <summary>An --augment value, or the detector's default when it was not given.</summary>
    public static ReferenceAugmentation AugmentationOr(string? value) => value is null ? CnnFewShotOptions.Default.Augmentation : ParseAugmentation(value);

    /// <summary>An --augment value: none, flips, rotations or all.</summary>
    public static ReferenceAugmentation ParseAugmentation(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" => ReferenceAugmentation.None,
        "flips" => ReferenceAugmentation.Flips,
        "rotations" => ReferenceAugmentation.Rotations,
        "all" => ReferenceAugmentation.Flips | ReferenceAugmentation.Rotations,
        var other => throw new ArgumentException($"--augment: unknown augmentation '{other}' (none, flips, rotations, all)"),
    };
}
