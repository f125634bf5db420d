using System.CommandLine;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;

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
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 };
    public readonly Option<double?> Smoothing = new("--smoothing") { Description = "Gaussian smoothing sigma of the map in pixels (clip: 0 = off, the paper; resnet18: 4)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Backbone);
        command.Options.Add(BatchSize);
        command.Options.Add(Smoothing);
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
        if (batch < 1) throw new ArgumentException($"--batch-size must be at least 1, got {batch}");
        double? sigma = r.GetValue(Smoothing);
        if (sigma is double s && !(s >= 0 && s <= 1000)) throw new ArgumentException($"--smoothing must be a sigma in [0, 1000] pixels, got {s}");
        return BackboneOf(r) == ClipBackbone ? OpenClip(r, fewShot, batch, sigma ?? 0) : throw new ArgumentException("--backbone resnet18 is not available yet");
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
            };
            if (!fewShot) return new DetectorSession(zeroShot, owned, details);
            owned.Add(zeroShot);
            return new DetectorSession(FewShotDetector.Create(zeroShot), owned, details);
        }
        catch
        {
            for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
            throw;
        }
    }
}
