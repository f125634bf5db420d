using AnomalyClip.Inference.Features;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// What one pass over reference images yields: their memory-bank features and, for detectors whose map has a part
/// that does not come from the bank (CLIP's zero-shot map), that part [N, S, S]. Owns its tensors.
/// </summary>
internal sealed class ReferenceEncoding(PatchFeatures features, Tensor? baseMaps) : IDisposable
{
    public PatchFeatures Features { get; } = features;

    public Tensor? BaseMaps { get; } = baseMaps;

    public long Count => Features.Count;

    /// <summary>Images 0, v, 2v, ... (the first view of each reference when every reference has v views).</summary>
    public ReferenceEncoding EveryNth(int v)
    {
        using var scope = NewDisposeScope();
        var idx = arange(0, Count, v, ScalarType.Int64, device: Features.Layers[0].device);
        var features = new PatchFeatures(Features.Names, Features.Layers.Select(l => l.index_select(0, idx)).ToArray());
        var maps = BaseMaps?.index_select(0, idx.to(BaseMaps.device));
        return new ReferenceEncoding(features.MoveToOuterDisposeScope(), maps?.MoveToOuterDisposeScope());
    }

    public ReferenceEncoding DetachFromDisposeScope()
    {
        Features.DetachFromDisposeScope();
        BaseMaps?.DetachFromDisposeScope();
        return this;
    }

    public void Dispose()
    {
        Features.Dispose();
        BaseMaps?.Dispose();
    }
}
