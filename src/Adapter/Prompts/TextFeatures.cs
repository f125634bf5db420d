using System.Collections.Concurrent;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Adapter.Prompts;

/// <summary>
/// Per-class text features T_c ∈ R^{E×2} (column 0 normal, column 1 abnormal), computed once per class from a prompt
/// ensemble and cached. Each column is normalise(mean(normalise(encode_text(sentences)))), as APRIL-GAN.
/// </summary>
public sealed class TextFeatures : IDisposable
{
    private readonly ConcurrentDictionary<string, Tensor> _cache = new(StringComparer.Ordinal);
    private readonly ClipModel _clip;
    private readonly ClipTokenizer? _tokenizer;
    private readonly object _gate = new();

    /// <summary>Creates an empty cache over a model's text tower.</summary>
    /// <param name="clip">The CLIP model (its text tower is used until <see cref="ReleaseTextTower"/>).</param>
    /// <param name="tokenizer">The model's tokenizer; null when every class's features will be <see cref="Set"/>.</param>
    /// <param name="prompts">Prompt ensemble; <see cref="PromptSet.Paper"/> when null.</param>
    /// <param name="readableNames">Turn "metal_nut" into "metal nut" in prompts (the paper keeps names verbatim).</param>
    public TextFeatures(ClipModel clip, ClipTokenizer? tokenizer, PromptSet? prompts = null, bool readableNames = false)
    {
        _clip = clip;
        _tokenizer = tokenizer;
        Prompts = prompts ?? PromptSet.Paper;
        ReadableNames = readableNames;
    }

    /// <summary>The prompt ensemble.</summary>
    public PromptSet Prompts { get; }

    /// <summary>Whether class names are made readable before prompting.</summary>
    public bool ReadableNames { get; }

    /// <summary>Classes whose features are cached.</summary>
    public IReadOnlyCollection<string> CachedClasses => _cache.Keys.ToArray();

    /// <summary>
    /// T_c [E,2] for <paramref name="className"/> (null → "object"), on the model's device. Owned by this cache:
    /// do not dispose.
    /// </summary>
    /// <exception cref="InvalidOperationException">The class is not cached and the text tower was released, or there is no tokenizer.</exception>
    public Tensor For(string? className)
    {
        var name = ClassNames.ToObjectName(className, ReadableNames);
        if (_cache.TryGetValue(name, out var cached)) return cached;
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out cached)) return cached;
            if (TextTowerReleased)
                throw new InvalidOperationException($"no text features cached for '{name}' and the text tower was released; precompute every class first");
            if (_tokenizer is null)
                throw new InvalidOperationException($"no text features set for '{name}' and no tokenizer to compute them");
            var t = Compute(_clip, _tokenizer, Prompts, name);
            t.DetachFromDisposeScope();
            _cache[name] = t;
            return t;
        }
    }

    /// <summary>
    /// Stores precomputed features T_c [E,2] for <paramref name="className"/> (e.g. computed once and saved, or
    /// random features for benchmarks). The cache takes a copy.
    /// </summary>
    public void Set(string? className, Tensor features)
    {
        if (features.dim() != 2 || features.shape[1] != 2) throw new ArgumentException($"text features must be [E, 2], got [{string.Join(",", features.shape)}]");
        var name = ClassNames.ToObjectName(className, ReadableNames);
        var copy = features.detach().to(_clip.Device).to_type(ScalarType.Float32).clone().DetachFromDisposeScope();
        if (_cache.TryGetValue(name, out var old)) old.Dispose();
        _cache[name] = copy;
    }

    /// <summary>Stacks the features of several classes to [B,E,2] (a new tensor the caller owns).</summary>
    public Tensor ForBatch(IReadOnlyList<string?> classNames) => stack(classNames.Select(For).ToArray(), 0);

    /// <summary>Computes and caches every class in <paramref name="classNames"/>.</summary>
    public void Precompute(IEnumerable<string?> classNames)
    {
        foreach (var c in classNames) For(c);
    }

    /// <summary>
    /// Caches every class in <paramref name="classNames"/> and then frees the text tower (about 0.5 GB of ViT-L-14
    /// weights): for a run or a service whose classes are known, only those can be scored afterwards.
    /// </summary>
    /// <exception cref="InvalidOperationException">A class is not cached and cannot be computed (no tokenizer, or the tower was already released).</exception>
    public void KeepOnly(IEnumerable<string?> classNames)
    {
        Precompute(classNames);
        ReleaseTextTower();
    }

    /// <summary>True once <see cref="ReleaseTextTower"/> was called.</summary>
    public bool TextTowerReleased { get; private set; }

    /// <summary>
    /// Frees the text tower's parameters (most of a ViT-B's text memory) once every needed class is cached;
    /// the model's <see cref="ClipModel.EncodeText"/> cannot be used afterwards.
    /// </summary>
    public void ReleaseTextTower()
    {
        lock (_gate)
        {
            _clip.ReleaseTextTower();
            TextTowerReleased = true;
        }
    }

    /// <summary>Computes T_c [E,2] for one object name (no caching). The caller owns the result.</summary>
    public static Tensor Compute(ClipModel clip, ClipTokenizer tokenizer, PromptSet prompts, string objectName)
    {
        using var scope = NewDisposeScope();
        var columns = new Tensor[2];
        for (int state = 0; state < 2; state++)
        {
            var ids = tokenizer.Tokenize(prompts.Sentences(objectName, abnormal: state == 1), clip.Config.Text.ContextLength, clip.Device);
            var emb = clip.EncodeText(ids).to_type(ScalarType.Float32);
            emb = emb / emb.norm(-1, keepdim: true);
            var mean = emb.mean([0]);
            columns[state] = mean / mean.norm();
        }
        return stack(columns, 1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _cache.Values) t.Dispose();
        _cache.Clear();
    }
}
