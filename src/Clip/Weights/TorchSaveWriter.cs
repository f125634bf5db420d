using System.IO.Compression;
using System.Text;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Writes PyTorch's zip checkpoint format (what <c>torch.save</c> produces since 1.6) for a dict of state dicts, so
/// that Python's <c>torch.load</c> reads it: <c>{outer_key: OrderedDict{name: tensor}}</c>. Tensors are written
/// contiguous, one storage each; the file is written atomically.
/// </summary>
public static class TorchSaveWriter
{
    private const string Archive = "archive";

    /// <summary>Saves <paramref name="groups"/> (outer key → state dict) to <paramref name="path"/>.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups)
    {
        var storages = new List<Tensor>();
        try
        {
            var pickle = new PickleWriter();
            pickle.Proto();
            pickle.EmptyDict();
            pickle.Mark();
            foreach (var (outer, stateDict) in groups)
            {
                pickle.Unicode(outer);
                pickle.Global("collections", "OrderedDict");
                pickle.EmptyTuple();
                pickle.Reduce();
                pickle.Mark();
                foreach (var (name, tensor) in stateDict)
                {
                    var data = tensor.detach().cpu().contiguous();
                    storages.Add(data);
                    pickle.Unicode(name);
                    WriteTensor(pickle, data, (storages.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                pickle.SetItems();
            }
            pickle.SetItems();
            pickle.Stop();

            AtomicFile.Write(path, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                Entry(zip, $"{Archive}/data.pkl", pickle.ToArray());
                Entry(zip, $"{Archive}/byteorder", Encoding.ASCII.GetBytes("little"));
                for (int i = 0; i < storages.Count; i++) Entry(zip, $"{Archive}/data/{i}", storages[i].bytes.ToArray());
                Entry(zip, $"{Archive}/version", Encoding.ASCII.GetBytes("3\n"));
            });
        }
        finally
        {
            foreach (var s in storages) s.Dispose();
        }
    }

    // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks)
    private static void WriteTensor(PickleWriter p, Tensor t, string key)
    {
        p.Global("torch._utils", "_rebuild_tensor_v2");
        p.Mark();
        p.Mark();
        p.Unicode("storage");
        p.Global("torch", StorageType(t.dtype));
        p.Unicode(key);
        p.Unicode("cpu");
        p.Int(t.numel());
        p.Tuple();
        p.BinPersId();
        p.Int(0);
        p.IntTuple(t.shape);
        p.IntTuple(t.stride());
        p.Bool(false);
        p.Global("collections", "OrderedDict");
        p.EmptyTuple();
        p.Reduce();
        p.Tuple();
        p.Reduce();
    }

    private static string StorageType(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.BFloat16 => "BFloat16Storage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Int16 => "ShortStorage",
        ScalarType.Int8 => "CharStorage",
        ScalarType.Byte => "ByteStorage",
        ScalarType.Bool => "BoolStorage",
        _ => throw new ArgumentException($"cannot save dtype {dtype}"),
    };

    private static void Entry(ZipArchive zip, string name, byte[] data)
    {
        var e = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = e.Open();
        s.Write(data);
    }
}
