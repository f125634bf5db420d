using System.Collections.Concurrent;
using AnomalyClip.Clip.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Trainer;

/// <summary>
/// Caches the frozen CLIP's tapped tokens per training image in memory or on disk, so later epochs skip the encoder.
/// Stored in float32, so a cached run computes exactly what an uncached one does. Keyed by image path.
/// </summary>
internal sealed class TokenCache : IDisposable
{
    private readonly TokenCacheMode _mode;
    private readonly string? _dir;
    private readonly bool _ownsDir;
    private readonly ConcurrentDictionary<string, Tensor[]> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _files = new(StringComparer.Ordinal);

    public TokenCache(TokenCacheMode mode, string? directory)
    {
        _mode = mode;
        if (mode == TokenCacheMode.Disk)
        {
            _ownsDir = directory is null;
            _dir = directory ?? Directory.CreateTempSubdirectory("anomalyclip-tokens-").FullName;
            Directory.CreateDirectory(_dir);
        }
    }

    public bool Enabled => _mode != TokenCacheMode.None;

    /// <summary>The cached tokens of <paramref name="key"/> as float32 on <paramref name="device"/>, or null.</summary>
    public Tensor[]? TryGet(string key, Device device)
    {
        if (_mode == TokenCacheMode.Memory && _memory.TryGetValue(key, out var mem))
            return mem.Select(t => t.to(device).to_type(ScalarType.Float32)).ToArray();
        if (_mode == TokenCacheMode.Disk && _files.TryGetValue(key, out var file))
        {
            var sd = SafeTensors.Load(file);
            return Enumerable.Range(0, sd.Count).Select(i => sd[$"tap.{i}"].to(device).to_type(ScalarType.Float32)).ToArray();
        }
        return null;
    }

    /// <summary>Stores the tokens [1+G², W] per layer of one image.</summary>
    public void Put(string key, IReadOnlyList<Tensor> tokens)
    {
        if (_mode == TokenCacheMode.Memory)
        {
            _memory[key] = tokens.Select(t => t.to(CPU).to_type(ScalarType.Float32).DetachFromDisposeScope()).ToArray();
        }
        else if (_mode == TokenCacheMode.Disk)
        {
            var file = Path.Combine(_dir!, $"{_files.Count:D6}.safetensors");
            using var scope = NewDisposeScope();
            SafeTensors.Save(file, tokens.Select((t, i) => (i, t.to_type(ScalarType.Float32))).ToDictionary(x => $"tap.{x.i}", x => x.Item2));
            _files[key] = file;
        }
    }

    public void Dispose()
    {
        foreach (var ts in _memory.Values) foreach (var t in ts) t.Dispose();
        _memory.Clear();
        if (_ownsDir && _dir is not null)
        {
            try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        }
    }
}
