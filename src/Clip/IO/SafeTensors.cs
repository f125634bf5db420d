using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.IO;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header with each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Nothing in the file is executed.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>One tensor's entry in the header.</summary>
    /// <param name="Name">Tensor name.</param>
    /// <param name="DType">Element type.</param>
    /// <param name="Shape">Shape.</param>
    /// <param name="Offset">Absolute byte offset of the data in the file.</param>
    /// <param name="Length">Byte length of the data.</param>
    public sealed record Entry(string Name, ScalarType DType, long[] Shape, long Offset, long Length);

    /// <summary>Reads the header: every tensor's entry, in file order, and the free-form metadata.</summary>
    /// <exception cref="ModelLoadException">The file is missing, truncated or its header is malformed.</exception>
    public static (IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        using var stream = Open(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Loads every tensor (or those accepted by <paramref name="keep"/>) onto the CPU, in stored dtype.</summary>
    /// <exception cref="ModelLoadException">The file is missing, truncated or malformed.</exception>
    public static Dictionary<string, Tensor> Load(string path, Func<string, bool>? keep = null)
    {
        using var stream = Open(path);
        var (entries, _) = ReadHeader(stream, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries)
            {
                if (keep is not null && !keep(e.Name)) continue;
                result[e.Name] = ReadTensor(stream, path, e);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static Tensor ReadTensor(FileStream stream, string path, Entry e)
    {
        var t = empty(e.Shape, e.DType);
        try
        {
            stream.Position = e.Offset;
            if (e.Length > 0) stream.ReadExactly(t.bytes);
            return t;
        }
        catch (EndOfStreamException ex)
        {
            t.Dispose();
            throw new ModelLoadException(path, $"file is truncated inside tensor '{e.Name}'", ex);
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device, contiguous or not) in name order, atomically: the data go to a
    /// temporary file that is renamed over <paramref name="path"/> only when complete.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var cpu = new List<Tensor>(names.Count);
        try
        {
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name].detach().cpu().contiguous();
                cpu.Add(t);
                long n = t.NumberOfElements * t.ElementSize;
                header[name] = HeaderEntry(t.dtype, t.shape, offset, offset + n);
                offset += n;
            }
            AtomicFile.Write(path, stream =>
            {
                WriteHeader(stream, header);
                foreach (var t in cpu) stream.Write(t.bytes);
            });
        }
        finally
        {
            foreach (var t in cpu) t.Dispose();
        }
    }

    /// <summary>One tensor's header entry: dtype, shape and its byte range in the data section.</summary>
    internal static JsonObject HeaderEntry(ScalarType dtype, long[] shape, long begin, long end) => new()
    {
        ["dtype"] = DTypes.First(kv => kv.Value == dtype).Key,
        ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()),
        ["data_offsets"] = new JsonArray(begin, end),
    };

    /// <summary>Writes the 8-byte little-endian header length and the JSON header, space-padded to a multiple of 8.</summary>
    internal static void WriteHeader(Stream stream, JsonObject header)
    {
        var bytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - bytes.Length % 8) % 8;
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(bytes.Length + pad));
        stream.Write(len);
        stream.Write(bytes);
        for (int i = 0; i < pad; i++) stream.WriteByte((byte)' ');
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"cannot open safetensors file: {ex.Message}", ex);
        }
    }

    private static (IReadOnlyList<Entry>, IReadOnlyDictionary<string, string>) ReadHeader(FileStream stream, string path)
    {
        Span<byte> len = stackalloc byte[8];
        if (stream.Length < 8 || stream.Read(len) != 8)
            throw new ModelLoadException(path, "not a safetensors file (shorter than its 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (headerLength > (ulong)MaxHeaderBytes || (long)headerLength > stream.Length - 8)
            throw new ModelLoadException(path, $"not a safetensors file or truncated (header length {headerLength}, file size {stream.Length})");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(headerBytes) as JsonObject ?? throw new JsonException("header is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException(path, $"corrupt safetensors header: {ex.Message}", ex);
        }
        long dataStart = 8 + (long)headerLength;
        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject m)
                    foreach (var (k, v) in m) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            try
            {
                var dtypeName = (string)node!["dtype"]!;
                if (!DTypes.TryGetValue(dtypeName, out var dtype))
                    throw new ModelLoadException(path, $"tensor '{name}' has unsupported dtype {dtypeName}");
                var shape = node["shape"]!.AsArray().Select(x => (long)x!).ToArray();
                var offsets = node["data_offsets"]!.AsArray().Select(x => (long)x!).ToArray();
                long begin = offsets[0], end = offsets[1];
                // Checked: a shape whose element count overflows must not wrap around to a size that happens to fit.
                long expected;
                try
                {
                    expected = checked(shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype));
                }
                catch (OverflowException)
                {
                    throw new ModelLoadException(path, $"tensor '{name}': shape [{string.Join(",", shape)}] is too large");
                }
                if (shape.Any(s => s < 0) || end - begin != expected || begin < 0)
                    throw new ModelLoadException(path, $"tensor '{name}': byte range [{begin},{end}) does not fit shape [{string.Join(",", shape)}] of {dtypeName}");
                if (dataStart + end > stream.Length)
                    throw new ModelLoadException(path, $"file is truncated: tensor '{name}' ends at byte {dataStart + end}, file has {stream.Length}");
                entries.Add(new Entry(name, dtype, shape, dataStart + begin, expected));
            }
            catch (Exception ex) when (ex is not ModelLoadException)
            {
                throw new ModelLoadException(path, $"corrupt header entry for tensor '{name}'", ex);
            }
        }
        return (entries, metadata);
    }

    internal static int ElementSize(ScalarType t) => t switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
