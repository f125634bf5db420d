using System.Buffers.Binary;
using System.Text.Json;
using AnomalyClip.Clip.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Loads CLIP weights from any supported file into one state dict in the OpenCLIP key layout
/// (spec/openclip.md §4a), whatever the container (<see cref="WeightFormat"/>, detected from the content, not the
/// file name) and whichever of the known key layouts it uses. Nothing in a file is ever executed.
/// </summary>
public static class WeightFile
{
    // OpenAI's TorchScript models carry these as buffers; they are configuration, not weights.
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "input_resolution", "context_length", "vocab_size" };

    /// <summary>
    /// Reads <paramref name="path"/> and returns its weights as contiguous CPU tensors in their stored dtypes,
    /// keyed as OpenCLIP's <c>CLIP.state_dict()</c>. Layout variants are normalised: a training checkpoint's
    /// <c>state_dict</c> entry is used when present; a leading <c>module.</c> (DataParallel) and the CustomTextCLIP
    /// <c>text.</c> prefix are stripped; transformers <c>CLIPModel</c> keys are mapped by
    /// <see cref="HuggingFaceClipKeys"/>; a <c>logit_scale</c> of shape [1] becomes 0-d; and
    /// <c>input_resolution</c>, <c>context_length</c>, <c>vocab_size</c> are dropped.
    /// </summary>
    /// <exception cref="ModelLoadException">
    /// Missing, empty, truncated or corrupt file; an unknown format; a disallowed pickle global; or keys that
    /// collide after normalisation.
    /// </exception>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var scope = NewDisposeScope();
        var raw = DetectFormat(path) switch
        {
            WeightFormat.SafeTensors => SafeTensors.Load(path),
            WeightFormat.ShardedSafeTensors => LoadShards(path),
            WeightFormat.PyTorchCheckpoint => PyTorchCheckpoint.LoadModelStateDict(path),
            _ => TorchScriptArchive.LoadStateDict(path),
        };
        var result = Normalise(raw, path);
        foreach (var t in result.Values) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>Detects the container format of <paramref name="path"/> from its first bytes (and, for zips, its entries).</summary>
    /// <exception cref="ModelLoadException">Missing, empty or unrecognised file, or a legacy (non-zip) <c>torch.save</c> pickle.</exception>
    public static WeightFormat DetectFormat(string path)
    {
        Span<byte> head = stackalloc byte[9];
        long length;
        int n;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            length = stream.Length;
            n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"cannot open weight file: {ex.Message}", ex);
        }
        if (length == 0) throw new ModelLoadException(path, "weight file is empty");
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
        {
            using var archive = TorchZipArchive.Open(path);
            return archive.IsTorchScript ? WeightFormat.TorchScript : WeightFormat.PyTorchCheckpoint;
        }
        if (n == head.Length && head[8] == '{')
        {
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(head);
            if (headerLength >= 2 && headerLength <= (ulong)(length - 8)) return WeightFormat.SafeTensors;
        }
        if (head[0] == '{') return WeightFormat.ShardedSafeTensors;
        if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
            throw new ModelLoadException(path, "is a legacy (pre-1.6, non-zip) torch.save pickle, which is not supported; re-save it with a current PyTorch or convert it to safetensors");
        throw new ModelLoadException(path, "unrecognised weight file format (expected safetensors, a safetensors index, a PyTorch zip checkpoint or a TorchScript archive)");
    }

    private static Dictionary<string, Tensor> LoadShards(string indexPath)
    {
        Dictionary<string, string> map;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var weightMap) || weightMap.ValueKind != JsonValueKind.Object)
                throw new ModelLoadException(indexPath, "JSON file has no 'weight_map' object: not a safetensors shard index");
            map = weightMap.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or IOException)
        {
            throw new ModelLoadException(indexPath, $"corrupt safetensors shard index: {ex.Message}", ex);
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var shard in map.Values.Distinct(StringComparer.Ordinal))
        {
            // Shards must sit beside the index: a name with a folder part could point anywhere on disk.
            if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or "..")
                throw new ModelLoadException(indexPath, $"shard name '{shard}' is not a plain file name");
            var shardPath = Path.Combine(dir, shard);
            foreach (var (key, t) in SafeTensors.Load(shardPath, k => map.TryGetValue(k, out var s) && s == shard))
                result[key] = t;
        }
        var missing = map.Keys.Where(k => !result.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new ModelLoadException(indexPath, $"{missing.Count} tensors listed in the index are missing from their shards, e.g. '{missing[0]}' (in {map[missing[0]]})");
        return result;
    }

    private static Dictionary<string, Tensor> Normalise(Dictionary<string, Tensor> raw, string path)
    {
        var stripped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t) in raw)
        {
            var k = key.StartsWith("module.", StringComparison.Ordinal) ? key["module.".Length..] : key;
            if (!stripped.TryAdd(k, t)) throw new ModelLoadException(path, $"keys '{key}' and '{k}' collide once 'module.' is stripped");
        }
        var keyed = HuggingFaceClipKeys.IsHuggingFaceLayout(stripped.Keys) ? HuggingFaceClipKeys.ToOpenClip(stripped, path) : stripped;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, t) in keyed)
        {
            var k = key.StartsWith("text.", StringComparison.Ordinal) ? key["text.".Length..] : key;
            if (Dropped.Contains(k)) continue;
            var value = k == "logit_scale" && t.shape.SequenceEqual([1L]) ? t.reshape([]) : t;
            if (!result.TryAdd(k, value.contiguous())) throw new ModelLoadException(path, $"keys '{key}' and '{k}' collide once 'text.' is stripped");
        }
        return result;
    }
}
