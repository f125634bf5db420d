using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.IO;

public class SafeTensorsTests
{
    [Fact]
    public void GoldenFileReadsWithDtypesAndShapes()
    {
        var images = Golden.AprilGan("aprilgan/input/images");
        Assert.Equal(new long[] { 8, 3, 48, 48 }, images.shape);
        Assert.Equal(ScalarType.Float32, images.dtype);
        Assert.Equal(ScalarType.Float64, Golden.AprilGan("train/total_loss").dtype);
        Assert.Equal(ScalarType.Int64, Golden.AprilGan("train/step_order").dtype);
    }

    [Fact]
    public void RoundTripIsExactAndAtomic()
    {
        var dir = Directory.CreateTempSubdirectory("st-").FullName;
        var path = Path.Combine(dir, "x.safetensors");
        using var a = randn(3, 5).transpose(0, 1); // non-contiguous on purpose
        using var b = arange(7, ScalarType.Int64);
        using var c = randn(2, 2).to_type(ScalarType.Float16);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b, ["c"] = c }, new Dictionary<string, string> { ["format"] = "pt" });
        var back = SafeTensors.Load(path);
        TensorAssert.Close(a, back["a"], 0);
        TensorAssert.Equal(b, back["b"]);
        Assert.Equal(ScalarType.Float16, back["c"].dtype);
        Assert.Equal("pt", SafeTensors.ReadHeader(path).Metadata["format"]);
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void TruncatedFileIsTypedErrorNamingFile()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("st-").FullName, "cut.safetensors");
        var bytes = File.ReadAllBytes(Golden.PathOf("aprilgan_linear_layers.safetensors"));
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var ex = Assert.Throws<ModelLoadException>(() => SafeTensors.Load(path));
        Assert.Contains("cut.safetensors", ex.Message);
        Assert.Contains("truncated", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 255, 255, 255, 255, 0, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, (byte)'[', (byte)'x', (byte)'y', (byte)'z' })]
    public void GarbageIsTypedError(byte[] content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("st-").FullName, "bad.safetensors");
        File.WriteAllBytes(path, content);
        Assert.Throws<ModelLoadException>(() => SafeTensors.Load(path));
    }
}
