using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace AnomalyClip.Clip.IO;

/// <summary>
/// Writes a safetensors file of many float32 tensors without holding them in memory: data is appended to a temporary
/// file as tensors arrive, and <see cref="Complete"/> writes header + data to the target atomically. Until then the
/// target is untouched; disposing without completing leaves nothing behind.
/// </summary>
public sealed class SafeTensorsStreamWriter : IDisposable
{
    private readonly string _path;
    private readonly string _dataPath;
    private readonly FileStream _data;
    private readonly List<(string Name, long[] Shape, long Begin, long End)> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Starts a file that will be written to <paramref name="path"/>.</summary>
    public SafeTensorsStreamWriter(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _dataPath = AtomicFile.TempName(Path.GetDirectoryName(_path)!, "data");
        _data = new FileStream(_dataPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20, FileOptions.DeleteOnClose);
    }

    /// <summary>Number of tensors added.</summary>
    public int Count => _entries.Count;

    /// <summary>Appends a float32 tensor of <paramref name="shape"/> (row-major values).</summary>
    /// <exception cref="ArgumentException">Duplicate name or values that do not fill the shape.</exception>
    public void Add(string name, ReadOnlySpan<float> values, params long[] shape)
    {
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' was already added");
        if (shape.Aggregate(1L, (a, b) => a * b) != values.Length) throw new ArgumentException($"'{name}': {values.Length} values do not fill shape [{string.Join(",", shape)}]");
        long begin = _data.Position;
        _data.Write(MemoryMarshal.AsBytes(values));
        _entries.Add((name, shape, begin, _data.Position));
    }

    /// <summary>Writes the complete file to its target, atomically.</summary>
    public void Complete()
    {
        var header = new JsonObject();
        foreach (var (name, shape, begin, end) in _entries) header[name] = SafeTensors.HeaderEntry(TorchSharp.torch.ScalarType.Float32, shape, begin, end);
        _data.Flush();
        AtomicFile.Write(_path, stream =>
        {
            SafeTensors.WriteHeader(stream, header);
            _data.Position = 0;
            _data.CopyTo(stream);
        });
    }

    /// <inheritdoc />
    public void Dispose() => _data.Dispose();
}
