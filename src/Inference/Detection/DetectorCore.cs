using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Maps;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>
/// The CLIP engine under the zero- and few-shot detectors: one encoder pass per batch serves the text-patch maps, the
/// image score and the patch features the memory banks are searched with.
/// </summary>
internal sealed class DetectorCore
{
    public DetectorCore(ClipModel clip, AdapterWeights adapter, TextFeatures text, AprilGanOptions options, ImageDecoder? decoder)
    {
        adapter.EnsureFits(clip, "adapter");
        if (adapter.Metadata.ImageSize != clip.ImageSize)
            throw new AdapterLoadException("adapter", $"adapter was trained at {adapter.Metadata.ImageSize} px but the model runs at {clip.ImageSize} px; load the model with adapter.Metadata.ToLoadOptions()");
        Clip = clip;
        Adapter = adapter;
        Text = text;
        Options = options;
        Decoder = decoder ?? new ImageDecoder();
        FewShotTaps = options.FewShotTaps ?? adapter.Metadata.Taps;
        Features = new ClipPatchFeatureSource(clip, FewShotTaps);
    }

    public ClipModel Clip { get; }
    public AdapterWeights Adapter { get; }
    public TextFeatures Text { get; }
    public AprilGanOptions Options { get; }
    public ImageDecoder Decoder { get; }
    public IReadOnlyList<int> FewShotTaps { get; }

    /// <summary>The memory-bank features: CLIP's tokens after <see cref="FewShotTaps"/>.</summary>
    public ClipPatchFeatureSource Features { get; }

    public int ImageSize => Clip.ImageSize;

    /// <summary>
    /// Runs the detector on normalised images [N,3,S,S]; <paramref name="bankLayerMaps"/>, given the few-shot patch
    /// features of the batch, returns the memory-bank maps [Lf, N, S, S] that are added to the zero-shot map.
    /// </summary>
    public DetectionOutputs Forward(Tensor images, IReadOnlyList<string?> classes, Func<PatchFeatures, Tensor>? bankLayerMaps = null)
    {
        if (images.shape[0] != classes.Count) throw new ArgumentException($"{images.shape[0]} images but {classes.Count} class names");
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        using var enc = Clip.EncodeImage(images, Taps(bankLayerMaps is not null), pooled: true);
        var text = Text.ForBatch(classes).to(Clip.Device);
        var (layerMaps, zsMap) = ZeroShot(enc, text);

        var g = enc.Pooled!.to_type(ScalarType.Float32);
        g = g / g.norm(-1, keepdim: true);
        var textProbs = (g.unsqueeze(1).matmul(text) * Options.LogitScale).squeeze(1).softmax(-1);

        Tensor? fsLayers = null, fsMap = null;
        var map = BaseMap(zsMap);
        if (bankLayerMaps is not null)
        {
            using var features = ClipPatchFeatureSource.FromEncoding(enc, FewShotTaps);
            fsLayers = bankLayerMaps(features);
            fsMap = fsLayers.sum(0, keepdim: false);
            map = map + fsMap.to(map.device);
        }
        map = Smooth(map);

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

    /// <summary>
    /// One encoder pass over reference images of one class: their memory-bank features and the zero-shot part of
    /// their maps (what a few-shot map adds the bank distances to), both kept for calibration.
    /// </summary>
    public ReferenceEncoding EncodeReferences(Tensor images, string? className)
    {
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        using var enc = Clip.EncodeImage(images, Taps(withBanks: true), pooled: false);
        var text = Text.ForBatch(Enumerable.Repeat(className, (int)images.shape[0]).ToArray()).to(Clip.Device);
        var (_, zsMap) = ZeroShot(enc, text);
        var features = ClipPatchFeatureSource.FromEncoding(enc, FewShotTaps);
        return new ReferenceEncoding(features.MoveToOuterDisposeScope(), BaseMap(zsMap).MoveToOuterDisposeScope());
    }

    /// <summary>The zero-shot map as it enters the final map: the layer sum, or its mean with <see cref="AprilGanOptions.AverageLayers"/>.</summary>
    public Tensor BaseMap(Tensor zeroShotMap) => Options.AverageLayers ? zeroShotMap / Adapter.Metadata.Taps.Count : zeroShotMap;

    /// <summary>The optional Gaussian post-processing of final maps.</summary>
    public Tensor Smooth(Tensor map) => Options.SmoothingSigma > 0 ? GaussianSmoothing.Apply(map, Options.SmoothingSigma) : map;

    private IReadOnlyList<int> Taps(bool withBanks) => withBanks ? Adapter.Metadata.Taps.Union(FewShotTaps).ToArray() : Adapter.Metadata.Taps;

    // Per adapter layer 100·F̂·T → upsampled softmax, and their sum.
    private (Tensor LayerMaps, Tensor Map) ZeroShot(ImageEncoding enc, Tensor text)
    {
        var adapterTaps = Adapter.Metadata.Taps;
        var features = Adapter.Projector.Project(adapterTaps.Select(t => enc.Tokens[IndexOf(enc.Taps, t)]).ToArray());
        var layerMaps = stack(features.Select(f => ZeroShotMaps.LayerMap(f, text, ImageSize, Options.LogitScale)).ToArray(), 0);
        return (layerMaps, layerMaps.sum(0, keepdim: false));
    }

    private static int IndexOf(IReadOnlyList<int> taps, int tap)
    {
        for (int i = 0; i < taps.Count; i++) if (taps[i] == tap) return i;
        throw new ArgumentException($"block {tap} is not among the tapped blocks {string.Join(",", taps)}");
    }
}
