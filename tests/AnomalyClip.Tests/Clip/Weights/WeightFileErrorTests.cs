using System.Buffers.Binary;
using System.IO.Compression;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Weights;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

public class WeightFileErrorTests
{
    private static string Temp(string name) => Path.Combine(Directory.CreateTempSubdirectory("bad-").FullName, name);

    private static string TinyABin => Path.Combine(Golden.TinyA, "open_clip_pytorch_model.bin");

    private static ModelLoadException LoadFails(string path)
    {
        var ex = Assert.Throws<ModelLoadException>(() => WeightFile.Load(path));
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(Path.GetFileName(path), ex.Message);
        return ex;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(5000)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(-22)] // just the end-of-central-directory record missing
    [InlineData(-1)]
    public void TruncatedBinIsATypedError(double cut)
    {
        var bytes = File.ReadAllBytes(TinyABin);
        int keep = cut switch { < 0 => bytes.Length + (int)cut, < 1 => (int)(bytes.Length * cut), _ => (int)cut };
        var path = Temp("cut.bin");
        File.WriteAllBytes(path, bytes[..keep]);
        LoadFails(path);
    }

    /// <summary>Offset of the first entry's data (data.pkl) in a zip written with a local header at 0.</summary>
    private static int FirstEntryData(byte[] zip) =>
        30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(28));

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.001)]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.99)]
    public void FlippedBytesInDataPklAreATypedError(double where)
    {
        var bytes = File.ReadAllBytes(TinyABin);
        int start = FirstEntryData(bytes);
        Assert.Equal((byte)0x80, bytes[start]); // PROTO: data.pkl really starts here
        int at = start + (int)(9852 * where);
        for (int i = at; i < at + 4; i++) bytes[i] ^= 0xFF;
        var path = Temp("flipped.bin");
        File.WriteAllBytes(path, bytes);
        LoadFails(path);
    }

    /// <summary>
    /// Every single-byte corruption of a real data.pkl, re-zipped so the zip CRC is valid and only the pickle
    /// interpreter stands in the way: each must load or fail with ModelLoadException, never anything else.
    /// </summary>
    [Fact]
    public void NoSingleByteCorruptionOfAPickleEscapesAsAnotherException()
    {
        using var src = ZipFile.OpenRead(Golden.PathOf("aprilgan_linear_layers.pth"));
        var entries = src.Entries.Select(e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return (e.FullName, Data: m.ToArray());
        }).ToList();
        int pkl = entries.FindIndex(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal));
        var original = entries[pkl].Data;
        var path = Temp("fuzz.pth");
        int failures = 0;
        for (int i = 0; i < original.Length; i++)
        {
            var corrupt = (byte[])original.Clone();
            corrupt[i] ^= 0x5A;
            entries[pkl] = (entries[pkl].FullName, corrupt);
            File.Delete(path);
            TorchArchiveWriter.WriteZip(path, "", entries);
            using var scope = NewDisposeScope();
            try
            {
                PyTorchCheckpoint.LoadStateDict(path, "trainable_linearlayer");
            }
            catch (ModelLoadException)
            {
                failures++;
            }
        }
        Assert.True(failures > original.Length / 2, $"only {failures} of {original.Length} corruptions were detected");
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("posix", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    public void DisallowedGlobalIsRejectedWithoutRunningAnything(string module, string name)
    {
        var marker = Temp("pwned");
        var w = new PickleWriter().Global(module, name).Str($"touch {marker}").Op(0x85).Reduce().Stop();
        var path = Temp("evil.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray())]);
        var ex = LoadFails(path);
        Assert.Contains($"{module}.{name}", ex.Message);
        Assert.False(File.Exists(marker));

        // Same through STACK_GLOBAL, and inside a TorchScript archive, where only __torch__.* classes become inert objects.
        var stack = new PickleWriter().Str(module).Str(name).Op(0x93).Str($"touch {marker}").Op(0x85).Reduce().Stop();
        TorchArchiveWriter.WriteZip(path = Temp("evil2.pt"), "archive/", [("data.pkl", stack.ToArray())]);
        LoadFails(path);
        TorchArchiveWriter.WriteZip(path = Temp("evil.jit"), "archive/", [("data.pkl", w.ToArray()), ("constants.pkl", new PickleWriter().EmptyTuple().Stop().ToArray())]);
        Assert.Contains($"{module}.{name}", LoadFails(path).Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void TorchScriptClassInAPlainCheckpointIsRejected()
    {
        var w = new PickleWriter().Global("__torch__.model", "CLIP").EmptyTuple().NewObj().Stop();
        var path = Temp("obj.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray())]);
        Assert.Contains("__torch__.model.CLIP", LoadFails(path).Message);
    }

    [Fact]
    public void UnknownOpcodeIsATypedError()
    {
        var path = Temp("op.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", new PickleWriter().EmptyDict().Op(0xFF).Stop().ToArray())]);
        Assert.Contains("opcode 0xff", LoadFails(path).Message);
    }

    [Fact]
    public void StorageShorterThanDeclaredIsATypedError()
    {
        var w = new PickleWriter().EmptyDict().Str("w").Tensor(x => x.StorageId("FloatStorage", "0", 12), 0, [12], [1]).SetItem().Stop();
        var path = Temp("short.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray()), ("data/0", new byte[8 * 4])]);
        Assert.Contains("shorter than declared", LoadFails(path).Message);
    }

    [Fact]
    public void ViewPastItsStorageIsATypedError()
    {
        var w = new PickleWriter().EmptyDict().Str("w").Tensor(x => x.StorageId("FloatStorage", "0", 4), 2, [2, 2], [2, 1]).SetItem().Stop();
        var path = Temp("oob.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray()), ("data/0", new byte[16])]);
        Assert.Contains("runs past its storage", LoadFails(path).Message);
    }

    [Fact]
    public void MissingStorageEntryAndBigEndianArchiveAreTypedErrors()
    {
        var w = new PickleWriter().EmptyDict().Str("w").Tensor(x => x.StorageId("FloatStorage", "0", 1), 0, [1], [1]).SetItem().Stop();
        var path = Temp("nodata.pt");
        TorchArchiveWriter.WriteZip(path, "archive/", [("data.pkl", w.ToArray())]);
        Assert.Contains("archive/data/0", LoadFails(path).Message);
        TorchArchiveWriter.WriteZip(path = Temp("be.pt"), "archive/", [("data.pkl", w.ToArray()), ("byteorder", "big"u8.ToArray()), ("data/0", new byte[4])]);
        Assert.Contains("big", LoadFails(path).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello, I am a text file\nnot weights\n")]
    [InlineData("{\"not\": \"an index\"}")]
    [InlineData("\u0080\u0002}q\u0000.")] // a legacy (non-zip) torch.save pickle
    public void NonWeightFilesAreTypedErrors(string content)
    {
        var path = Temp("weights.bin");
        File.WriteAllBytes(path, content.Select(c => (byte)c).ToArray());
        LoadFails(path);
    }

    [Fact]
    public void ZipWithoutDataPklAndMissingFileAreTypedErrors()
    {
        var path = Temp("other.zip");
        TorchArchiveWriter.WriteZip(path, "", [("readme.txt", "hi"u8.ToArray())]);
        Assert.Contains("data.pkl", LoadFails(path).Message);
        LoadFails(Temp("does-not-exist.safetensors"));
    }
}
