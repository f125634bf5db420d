using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

/// <summary>Writes torch.save-style zip archives (entries stored uncompressed under one folder) for tests.</summary>
internal static class TorchArchiveWriter
{
    public static readonly Dictionary<ScalarType, string> StorageTypes = new()
    {
        [ScalarType.Float32] = "FloatStorage", [ScalarType.Float16] = "HalfStorage", [ScalarType.BFloat16] = "BFloat16Storage",
        [ScalarType.Float64] = "DoubleStorage", [ScalarType.Int64] = "LongStorage", [ScalarType.Int32] = "IntStorage",
        [ScalarType.Byte] = "ByteStorage", [ScalarType.Bool] = "BoolStorage",
    };

    /// <summary>Writes <paramref name="entries"/> (names relative to <paramref name="prefix"/>) to a zip at <paramref name="path"/>.</summary>
    public static void WriteZip(string path, string prefix, IEnumerable<(string Name, byte[] Data)> entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            var e = zip.CreateEntry(prefix + name, CompressionLevel.NoCompression);
            using var s = e.Open();
            s.Write(data);
        }
    }

    /// <summary>The raw little-endian bytes of a tensor (contiguous copy).</summary>
    public static byte[] Bytes(Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }

    /// <summary>
    /// torch.save of a dict of tensors, optionally nested as <c>{outerKey: {...}}</c>; each tensor gets its own
    /// storage, as <c>model.state_dict()</c> produces.
    /// </summary>
    public static void SaveStateDict(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, string? outerKey = null)
    {
        var w = new PickleWriter();
        if (outerKey is not null) w.EmptyDict().Str(outerKey);
        w.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark();
        var data = new List<(string, byte[])>();
        for (int i = 0; i < tensors.Count; i++)
        {
            var (key, t) = (tensors[i].Key, tensors[i].Value);
            var shape = t.shape;
            var stride = new long[shape.Length];
            for (int d = shape.Length - 1, s = 1; d >= 0; s *= (int)shape[d], d--) stride[d] = s;
            var storageKey = i.ToString();
            w.Str(key).Tensor(x => x.StorageId(StorageTypes[t.dtype], storageKey, t.numel()), 0, shape, stride);
            data.Add(("data/" + storageKey, Bytes(t)));
        }
        w.SetItems();
        if (outerKey is not null) w.SetItem();
        w.Stop();
        WriteZip(path, "archive/", [("data.pkl", w.ToArray()), ("byteorder", "little"u8.ToArray()), .. data, ("version", "3\n"u8.ToArray())]);
    }
}
