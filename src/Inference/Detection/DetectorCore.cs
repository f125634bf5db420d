using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Maps;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>
/// The shared engine of the zero- and few-shot detectors: one encoder pass per batch serves the text-patch maps, the
/// image score and the memory-bank distances.
/// </summary>
internal sealed class DetectorCore
{
    public DetectorCore(ClipModel clip, AdapterWeights adapter, TextFeatures text, AprilGanOptions options, ImageDecoder? decoder)
    {
        adapter.EnsureFits(clip, "adapter");
        if (adapter.Metadata.ImageSize != clip.ImageSize)
            throw new AdapterLoadException("adapter", $"adapter was trained at {adapter.Metadata.ImageSize} px but the model runs at {clip.ImageSize} px; load the model with that image size");
        Clip = clip;
        Adapter = adapter;
        Text = text;
        Options = options;
        Decoder = decoder ?? new ImageDecoder();
        Preprocessor = new ClipPreprocessor(ClipTransformOptions.FromConfig(clip.Config.Preprocess, clip.ImageSize, ResizeMode.Squash));
        FewShotTaps = options.FewShotTaps ?? adapter.Metadata.Taps;
    }

    public ClipModel Clip { get; }
    public AdapterWeights Adapter { get; }
    public TextFeatures Text { get; }
    public AprilGanOptions Options { get; }
    public ImageDecoder Decoder { get; }
    public ClipPreprocessor Preprocessor { get; }
    public IReadOnlyList<int> FewShotTaps { get; }
    public int ImageSize => Clip.ImageSize;

    /// <summary>
    /// Runs the detector on normalised images [N,3,S,S]; <paramref name="banks"/> adds the few-shot maps, and
    /// <paramref name="excludeReference"/> leaves one reference out of the banks (for calibration).
    /// </summary>
    public DetectionOutputs Forward(Tensor images, IReadOnlyList<string?> classes, Func<string?, MemoryBank>? banks = null, int? excludeReference = null)
    {
        if (images.shape[0] != classes.Count) throw new ArgumentException($"{images.shape[0]} images but {classes.Count} class names");
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        var adapterTaps = Adapter.Metadata.Taps;
        var taps = banks is null ? adapterTaps : adapterTaps.Union(FewShotTaps).ToArray();
        using var enc = Clip.EncodeImage(images, taps);
        var tokens = enc.Tokens;
        Tensor Tok(int tap) => tokens[IndexOf(taps, tap)];

        var features = Adapter.Projector.Project(adapterTaps.Select(Tok).ToArray());
        var text = Text.ForBatch(classes).to(Clip.Device);
        var layerMaps = stack(features.Select(f => ZeroShotMaps.LayerMap(f, text, ImageSize, Options.LogitScale)).ToArray(), 0);
        var zsMap = layerMaps.sum(0, keepdim: false);

        var g = enc.Pooled!.to_type(ScalarType.Float32);
        g = g / g.norm(-1, keepdim: true);
        var textProbs = (g.unsqueeze(1).matmul(text) * Options.LogitScale).squeeze(1).softmax(-1);

        Tensor? fsLayers = null, fsMap = null;
        var map = Options.AverageLayers ? zsMap / adapterTaps.Count : zsMap;
        if (banks is not null)
        {
            var perLayer = new List<Tensor>();
            for (int l = 0; l < FewShotTaps.Count; l++)
            {
                // Images of one batch may belong to different classes: distances are taken against each one's bank.
                var rows = new Tensor[classes.Count];
                for (int i = 0; i < classes.Count; i++)
                {
                    var bank = banks(classes[i]);
                    int layer = IndexOf(bank.Taps, FewShotTaps[l]);
                    rows[i] = bank.Distance(layer, Tok(FewShotTaps[l])[i..(i + 1)], excludeReference);
                }
                perLayer.Add(ZeroShotMaps.UpsamplePatchValues(cat(rows, 0), ImageSize));
            }
            fsLayers = stack(perLayer.ToArray(), 0);
            fsMap = fsLayers.sum(0, keepdim: false);
            map = map + fsMap.to(map.device);
        }
        if (Options.SmoothingSigma > 0) map = GaussianSmoothing.Apply(map, Options.SmoothingSigma);

        return new DetectionOutputs
        {
            TextProbs = textProbs.MoveToOuterDisposeScope(),
            ZeroShotLayerMaps = layerMaps.MoveToOuterDisposeScope(),
            ZeroShotMap = zsMap.MoveToOuterDisposeScope(),
            FewShotLayerMaps = fsLayers?.MoveToOuterDisposeScope(),
            FewShotMap = fsMap?.MoveToOuterDisposeScope(),
            Map = map.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Decodes and preprocesses images into a batch [N,3,S,S] on the model's device.</summary>
    public Tensor Batch(IReadOnlyList<DecodedImage> images) => Preprocessor.ToBatch(images, Clip.Device);

    private static int IndexOf(IReadOnlyList<int> taps, int tap)
    {
        for (int i = 0; i < taps.Count; i++) if (taps[i] == tap) return i;
        throw new ArgumentException($"block {tap} is not among the tapped blocks {string.Join(",", taps)}");
    }
}
