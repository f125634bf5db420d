using static TorchSharp.torch;

namespace AnomalyClip.Inference.Features;

/// <summary>
/// Patch features of a batch of images: named layers, each [N, G·G, C] (patches row-major on a square G×G grid, no
/// CLS token). What a memory bank stores and what it is queried with; owns its tensors.
/// </summary>
public sealed class PatchFeatures : IDisposable
{
    private readonly Tensor[] _layers;

    /// <summary>Wraps per-layer features (takes ownership of the tensors).</summary>
    /// <param name="names">Layer names, unique (e.g. "block6", "layer2+layer3").</param>
    /// <param name="layers">Per layer [N, G·G, C], all with the same N.</param>
    /// <exception cref="ArgumentException">Counts, shapes or names do not fit.</exception>
    public PatchFeatures(IReadOnlyList<string> names, IReadOnlyList<Tensor> layers)
    {
        if (names.Count != layers.Count) throw new ArgumentException($"{names.Count} names for {layers.Count} layers");
        if (names.Count == 0) throw new ArgumentException("patch features need at least one layer");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count) throw new ArgumentException($"layer names repeat: {string.Join(", ", names)}");
        for (int i = 0; i < layers.Count; i++)
        {
            var t = layers[i];
            if (t.dim() != 3) throw new ArgumentException($"layer '{names[i]}' is [{string.Join(",", t.shape)}], expected [N, G·G, C]");
            if (t.shape[0] != layers[0].shape[0]) throw new ArgumentException($"layer '{names[i]}' has {t.shape[0]} images, layer '{names[0]}' {layers[0].shape[0]}");
            GridOf(t.shape[1], names[i]);
        }
        Names = names.ToArray();
        _layers = layers.ToArray();
    }

    /// <summary>Layer names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Per layer [N, G·G, C].</summary>
    public IReadOnlyList<Tensor> Layers => _layers;

    /// <summary>Number of images N.</summary>
    public long Count => _layers[0].shape[0];

    /// <summary>The features of layer <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such layer.</exception>
    public Tensor this[string name]
    {
        get
        {
            for (int i = 0; i < Names.Count; i++) if (Names[i] == name) return _layers[i];
            throw new KeyNotFoundException($"no patch-feature layer '{name}' (layers: {string.Join(", ", Names)})");
        }
    }

    /// <summary>Images <paramref name="start"/> .. start+count−1 as views (the result owns only the views).</summary>
    public PatchFeatures Slice(long start, long count) => new(Names, _layers.Select(l => l.narrow(0, start, count)).ToArray());

    /// <summary>Moves the tensors out of the current dispose scope.</summary>
    public PatchFeatures MoveToOuterDisposeScope()
    {
        foreach (var l in _layers) l.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Detaches the tensors from every dispose scope (for features kept across scopes).</summary>
    public PatchFeatures DetachFromDisposeScope()
    {
        foreach (var l in _layers) l.DetachFromDisposeScope();
        return this;
    }

    /// <summary>Side G of the square grid of <paramref name="patches"/> = G·G patches.</summary>
    /// <exception cref="ArgumentException">Not a square number.</exception>
    public static int GridOf(long patches, string what = "features")
    {
        long g = (long)Math.Round(Math.Sqrt(patches));
        if (g * g != patches || g == 0) throw new ArgumentException($"{what}: {patches} patches do not form a square grid");
        return (int)g;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var l in _layers) l.Dispose();
    }
}
