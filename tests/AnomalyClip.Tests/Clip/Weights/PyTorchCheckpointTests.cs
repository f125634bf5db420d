using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Weights;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

public class PyTorchCheckpointTests
{
    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("weights-").FullName, name);

    [Fact]
    public void GoldenBinEqualsGoldenSafetensorsBitForBit()
    {
        var bin = PyTorchCheckpoint.LoadStateDict(Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin"));
        var st = SafeTensors.Load(Path.Combine(Golden.TinyA, "open_clip_model.safetensors"));
        var manifest = Golden.Manifest["upstream_openclip"]!["weights_state_dict_keys"]!.AsObject();
        Assert.Equal(manifest.Select(kv => kv.Key).Order(StringComparer.Ordinal), bin.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(bin["logit_scale"].shape); // 0-d in the .bin; the safetensors copy stores it as [1]
        Assert.Equal(new long[] { 1 }, st["logit_scale"].shape);
        WeightAssert.BitIdentical(WeightAssert.WithScalarLogitScale(st), bin);
    }

    [Fact]
    public void AprilGanCheckpointIsReachedThroughItsWrapperKey()
    {
        var pth = Golden.PathOf("aprilgan_linear_layers.pth");
        var layers = PyTorchCheckpoint.LoadStateDict(pth, "trainable_linearlayer");
        WeightAssert.BitIdentical(SafeTensors.Load(Golden.PathOf("aprilgan_linear_layers.safetensors")), layers);
        Assert.Equal(new long[] { 32, 64 }, layers["fc.3.weight"].shape);

        var ex = Assert.Throws<ModelLoadException>(() => PyTorchCheckpoint.LoadStateDict(pth));
        Assert.Contains("trainable_linearlayer", ex.Message);
        Assert.Contains("aprilgan_linear_layers.pth", ex.Message);
        Assert.Throws<ModelLoadException>(() => PyTorchCheckpoint.LoadStateDict(pth, "nope"));
    }

    [Fact]
    public void ViewsOffsetsStridesAndSharedStoragesLoadAsSaved()
    {
        // One float storage 0..11 shared by three tensors, plus a separate int64 storage whose view starts at offset 3.
        var storage = arange(12, ScalarType.Float32);
        var longs = arange(10, ScalarType.Int64) * 7;
        var w = new PickleWriter();
        w.Global("collections", "OrderedDict").EmptyTuple().Reduce().Mark()
            .Str("base").Tensor(x => x.StorageId("FloatStorage", "0", 12), 0, [3, 4], [4, 1])
            .Str("window").Tensor(x => x.StorageId("FloatStorage", "0", 12), 5, [2, 2], [4, 2]) // non-contiguous, offset 5
            .Str("transposed").Tensor(x => x.StorageId("FloatStorage", "0", 12), 0, [4, 3], [1, 4])
            .Str("tail").Tensor(x => x.StorageId("LongStorage", "1", 10), 3, [4], [2])
            .Str("scalar").Tensor(x => x.StorageId("FloatStorage", "0", 12), 11, [], [])
            .SetItems().Stop();
        var path = Temp("views.pt");
        TorchArchiveWriter.WriteZip(path, "views/", [("data.pkl", w.ToArray()), ("byteorder", "little"u8.ToArray()),
            ("data/0", TorchArchiveWriter.Bytes(storage)), ("data/1", TorchArchiveWriter.Bytes(longs))]);

        var d = PyTorchCheckpoint.LoadStateDict(path);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 }, d["base"].data<float>().ToArray());
        Assert.Equal(new float[] { 5, 7, 9, 11 }, d["window"].contiguous().data<float>().ToArray());
        Assert.False(d["window"].is_contiguous());
        Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, d["transposed"].contiguous().data<float>().ToArray());
        Assert.Equal(new long[] { 21, 35, 49, 63 }, d["tail"].contiguous().data<long>().ToArray());
        Assert.Equal(11f, d["scalar"].item<float>());
        // Shared storage: a write through one view shows through the others, as after torch.load.
        d["window"][0, 0] = tensor(-1f);
        Assert.Equal(-1f, d["base"][1, 1].item<float>());
        Assert.Equal(-1f, d["transposed"][1, 1].item<float>());
    }

    [Fact]
    public void BytesOfANarrowedViewAddressTheViewNotTheStorageStart()
    {
        // TorchZipArchive fills large storages slice by slice through narrow(...).bytes; that relies on this.
        using var t = zeros(6, ScalarType.Int32);
        using (var part = t.narrow(0, 2, 3)) BitConverter.GetBytes(7).CopyTo(part.bytes);
        Assert.Equal(new[] { 0, 0, 7, 0, 0, 0 }, t.data<int>().ToArray());
    }

    [Fact]
    public void EveryStorageTypeMapsToItsDtype()
    {
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("f32", tensor(new float[] { 1.5f, -2f })),
            new("f16", tensor(new float[] { 0.25f, 65504f }).to_type(ScalarType.Float16)),
            new("bf16", tensor(new float[] { 3f, -0.5f }).to_type(ScalarType.BFloat16)),
            new("f64", tensor(new double[] { Math.PI })),
            new("i64", tensor(new long[] { long.MaxValue, -5 })),
            new("i32", tensor(new int[] { int.MinValue, 9 })),
            new("u8", tensor(new byte[] { 0, 255 })),
            new("bool", tensor(new bool[] { true, false, true })),
        };
        var path = Temp("dtypes.pt");
        TorchArchiveWriter.SaveStateDict(path, tensors);
        var d = PyTorchCheckpoint.LoadStateDict(path);
        WeightAssert.BitIdentical(tensors.ToDictionary(), d);
    }

    [Fact]
    public void ParametersPickledWithRebuildParameterLoadAsTensors()
    {
        var w = new PickleWriter();
        w.EmptyDict().Str("w")
            .Global("torch._utils", "_rebuild_parameter").Mark()
            .Tensor(x => x.StorageId("FloatStorage", "0", 3), 0, [3], [1])
            .Bool(true).Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce().SetItem().Stop();
        var path = Temp("param.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray()), ("data/0", TorchArchiveWriter.Bytes(tensor(new float[] { 1, 2, 3 })))]);
        Assert.Equal(new float[] { 1, 2, 3 }, PyTorchCheckpoint.LoadStateDict(path)["w"].data<float>().ToArray());
    }
}
