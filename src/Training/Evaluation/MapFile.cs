using System.Runtime.InteropServices;
using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Reads single float32 [H, W] maps by name from a maps safetensors file (<c>predict --save-maps</c>, evaluation
/// shards) without loading the rest: the header is read once, each map straight from its byte range. Merges read
/// many maps of many shards in a new order, which a whole-file load per map would make quadratic.
/// </summary>
public sealed class MapFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly Dictionary<string, SafeTensors.Entry> _entries;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="ModelLoadException">The file is missing, truncated or not safetensors.</exception>
    public MapFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var (entries, _) = SafeTensors.ReadHeader(Path);
        _entries = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Whether the file holds a tensor named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The map named <paramref name="name"/>: its row-major values and its size.</summary>
    /// <exception cref="InvalidDataException">No such map, or it is not a 2-D float32 tensor.</exception>
    /// <exception cref="ModelLoadException">The file ends inside the map.</exception>
    public (float[] Values, int Height, int Width) Read(string name)
    {
        if (!_entries.TryGetValue(name, out var e)) throw new InvalidDataException($"{Path}: no map named '{name}'");
        if (e.DType != ScalarType.Float32 || e.Shape.Length != 2)
            throw new InvalidDataException($"{Path}: map '{name}' is {e.DType} [{string.Join(",", e.Shape)}], expected a float32 [H,W] map");
        var values = new float[e.Shape[0] * e.Shape[1]];
        _stream.Position = e.Offset;
        try
        {
            _stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelLoadException(Path, $"file is truncated inside map '{name}'", ex);
        }
        return (values, (int)e.Shape[0], (int)e.Shape[1]);
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
