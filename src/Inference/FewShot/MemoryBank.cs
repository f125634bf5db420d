using System.Text.Json;
using AnomalyClip.Clip.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// APRIL-GAN's few-shot memory of one class: for each tapped block, the raw patch tokens (CLS dropped, no LayerNorm,
/// not normalised) of k normal reference images, concatenated in reference order: [k·G², W] per layer.
/// </summary>
public sealed class MemoryBank : IDisposable
{
    private readonly List<Tensor> _layers;
    private readonly List<string> _references;

    /// <summary>Creates a bank from per-layer token rows (takes ownership of the tensors).</summary>
    /// <param name="className">Class the references show.</param>
    /// <param name="taps">1-based blocks, one per layer.</param>
    /// <param name="layers">Per layer [rows, W].</param>
    /// <param name="references">Where each reference came from (file paths or names), in order.</param>
    /// <param name="calibration">Per-image score calibration (see <see cref="FewShotCalibration"/>), if computed.</param>
    public MemoryBank(string className, IReadOnlyList<int> taps, IReadOnlyList<Tensor> layers, IReadOnlyList<string> references, FewShotCalibration? calibration = null)
    {
        if (layers.Count != taps.Count) throw new ArgumentException($"{layers.Count} layers for {taps.Count} taps");
        ClassName = className;
        Taps = taps.ToArray();
        _layers = layers.ToList();
        _references = references.ToList();
        Calibration = calibration;
    }

    /// <summary>The class the references show.</summary>
    public string ClassName { get; }

    /// <summary>1-based ViT blocks of the layers.</summary>
    public IReadOnlyList<int> Taps { get; }

    /// <summary>Per layer, the raw reference tokens [k·G², W].</summary>
    public IReadOnlyList<Tensor> Layers => _layers;

    /// <summary>The reference images, in bank order.</summary>
    public IReadOnlyList<string> References => _references;

    /// <summary>Number of reference images k.</summary>
    public int Count => _references.Count;

    /// <summary>Statistics for the per-image few-shot score, or null when not calibrated.</summary>
    public FewShotCalibration? Calibration { get; internal set; }

    /// <summary>
    /// Creates a bank from the tapped tokens of reference images: <paramref name="tokens"/>[l] is [k, 1+G², W].
    /// </summary>
    public static MemoryBank FromTokens(string className, IReadOnlyList<int> taps, IReadOnlyList<Tensor> tokens, IReadOnlyList<string> references)
    {
        var layers = tokens.Select(t => t[.., 1.., ..].reshape(-1, t.shape[2]).to_type(ScalarType.Float32).contiguous()).ToList();
        foreach (var l in layers) l.DetachFromDisposeScope();
        return new MemoryBank(className, taps, layers, references);
    }

    /// <summary>Adds more references' tokens (same layout as <see cref="FromTokens"/>); calibration is dropped.</summary>
    public void Extend(IReadOnlyList<Tensor> tokens, IReadOnlyList<string> references)
    {
        if (tokens.Count != _layers.Count) throw new ArgumentException($"expected tokens of {_layers.Count} layers, got {tokens.Count}");
        for (int i = 0; i < _layers.Count; i++)
        {
            using var rows = tokens[i][.., 1.., ..].reshape(-1, tokens[i].shape[2]).to(_layers[i].device).to_type(ScalarType.Float32);
            var merged = cat([_layers[i], rows], 0).DetachFromDisposeScope();
            _layers[i].Dispose();
            _layers[i] = merged;
        }
        _references.AddRange(references);
        Calibration = null;
    }

    /// <summary>
    /// Distance of every query patch to the bank, D(n) = min over bank rows of (1 − cos): [N, G²] for query tokens
    /// [N, 1+G², W] of layer <paramref name="layer"/>. Computed as normalised matmuls over chunks of bank rows, so
    /// memory stays bounded for large k. <paramref name="exclude"/> skips the rows of one reference (leave-one-out).
    /// </summary>
    public Tensor Distance(int layer, Tensor queryTokens, int? exclude = null, long chunkRows = 16384)
    {
        using var scope = NewDisposeScope();
        var bank = _layers[layer];
        var q = queryTokens[.., 1.., ..].to(bank.device).to_type(ScalarType.Float32);
        long n = q.shape[0], g2 = q.shape[1];
        var qn = Normalize(q.reshape(n * g2, -1)).t();
        long perRef = bank.shape[0] / Math.Max(1, Count);
        Tensor? best = null;
        for (long start = 0; start < bank.shape[0]; start += chunkRows)
        {
            long end = Math.Min(bank.shape[0], start + chunkRows);
            var rows = bank.narrow(0, start, end - start);
            if (exclude is int ex)
            {
                long ex0 = ex * perRef, ex1 = ex0 + perRef;
                long cut0 = Math.Clamp(ex0, start, end), cut1 = Math.Clamp(ex1, start, end);
                var keep = cat([arange(start, cut0, device: bank.device), arange(cut1, end, device: bank.device)]);
                if (keep.numel() == 0) continue;
                rows = bank.index_select(0, keep);
            }
            var chunkMax = Normalize(rows).matmul(qn).amax([0]);
            best = best is null ? chunkMax : maximum(best, chunkMax);
        }
        if (best is null) throw new InvalidOperationException("the memory bank has no rows to compare with");
        return (1 - best).reshape(n, g2).MoveToOuterDisposeScope();
    }

    // sklearn's cosine_similarity: rows scaled to unit norm (a zero row stays zero).
    private static Tensor Normalize(Tensor x)
    {
        var norm = x.norm(-1, keepdim: true);
        return x / norm.masked_fill(norm.eq(0), 1);
    }

    /// <summary>Saves the bank (tokens, references, taps, calibration) as safetensors, atomically.</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        for (int i = 0; i < _layers.Count; i++) tensors[$"layer.{i}"] = _layers[i];
        var meta = new BankFile(ClassName, Taps.ToArray(), _references.ToArray(), Calibration);
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [HeaderKey] = JsonSerializer.Serialize(meta, JsonOptions) });
    }

    /// <summary>Loads a bank saved by <see cref="Save"/> onto <paramref name="device"/>.</summary>
    /// <exception cref="InvalidDataException">Not a memory-bank file.</exception>
    public static MemoryBank Load(string path, Device? device = null)
    {
        var (_, header) = SafeTensors.ReadHeader(path);
        if (!header.TryGetValue(HeaderKey, out var json)) throw new InvalidDataException($"{path}: not an AnomalyClip memory bank (no '{HeaderKey}' metadata)");
        var meta = JsonSerializer.Deserialize<BankFile>(json, JsonOptions) ?? throw new InvalidDataException($"{path}: empty memory-bank metadata");
        var sd = SafeTensors.Load(path);
        var layers = new List<Tensor>();
        for (int i = 0; i < meta.Taps.Length; i++)
        {
            if (!sd.TryGetValue($"layer.{i}", out var t)) throw new InvalidDataException($"{path}: memory bank lacks layer.{i}");
            layers.Add(device is null ? t : t.to(device));
        }
        return new MemoryBank(meta.ClassName, meta.Taps, layers, meta.References, meta.Calibration);
    }

    private const string HeaderKey = "anomalyclip.memory_bank";
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed record BankFile(string ClassName, int[] Taps, string[] References, FewShotCalibration? Calibration);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _layers) t.Dispose();
        _layers.Clear();
    }
}
