using System.Text.Json.Nodes;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Preprocessing;

public class ClipPreprocessorGoldenTests(ITestOutputHelper output)
{
    private readonly ImageDecoder _decoder = new();

    [Fact]
    public void OpenClipShortestMatchesUpstreamGolden() =>
        AssertBitExact(ClipTransformOptions.OpenClip(32), TestImages.GoldenImages(),
            Golden.Upstream("upstream/preprocess/images"), "upstream/preprocess/images");

    [Fact]
    public void AprilGanSquashMatchesGolden() =>
        AssertBitExact(ClipTransformOptions.AprilGan(48), TestImages.GoldenImages(),
            Golden.AprilGan("aprilgan/preprocess/images"), "aprilgan/preprocess/images");

    [Fact]
    public void AprilGanTestDatasetImagesMatchGolden()
    {
        var order = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray()
            .Select(n => Golden.PathOf("dataset_test", (string)n!)).ToList();
        AssertBitExact(ClipTransformOptions.AprilGan(48), order, Golden.AprilGan("aprilgan/input/images"),
            "aprilgan/input/images");
    }

    [Fact]
    public void ShortestSideSizesAndCropOffsetsFollowTorchvision()
    {
        var p = new ClipPreprocessor(ClipTransformOptions.OpenClip(32));
        Assert.Equal((41, 32), p.ResizedSize(90, 70));   // int(32*90/70) = int(41.14)
        Assert.Equal((48, 32), p.ResizedSize(300, 200));
        Assert.Equal((32, 40), p.ResizedSize(80, 100));
        Assert.Equal((32, 48), p.ResizedSize(20, 30));
        Assert.Equal((32, 32), p.ResizedSize(64, 64));
        Assert.Equal(4, ClipPreprocessor.CropOffset(41, 32));  // round(4.5) = 4 (half to even)
        Assert.Equal(6, ClipPreprocessor.CropOffset(45, 32));  // round(6.5) = 6
        Assert.Equal(8, ClipPreprocessor.CropOffset(47, 32));  // round(7.5) = 8
        var squash = new ClipPreprocessor(ClipTransformOptions.AprilGan(48));
        Assert.Equal((48, 48), squash.ResizedSize(300, 200));
    }

    [Fact]
    public void BatchStacksSingleImagesOnTheGivenDevice()
    {
        var p = new ClipPreprocessor(ClipTransformOptions.AprilGan(48));
        var images = TestImages.GoldenImages().Take(3).Select(_decoder.Decode).ToList();
        using var batch = p.ToBatch(images, CPU);
        Assert.Equal(new long[] { 3, 3, 48, 48 }, batch.shape);
        Assert.Equal(ScalarType.Float32, batch.dtype);
        Assert.Equal(TorchSharp.DeviceType.CPU, batch.device_type);
        for (int i = 0; i < images.Count; i++)
        {
            using var single = p.ToTensor(images[i], CPU);
            using var row = batch[i];
            TensorAssert.Close(single, row, 0, $"image {i}");
        }
        Assert.Equal((300, 200), (images[1].Width, images[1].Height));
    }

    [Fact]
    public void ConstantImageNormalisesWithFloat32Arithmetic()
    {
        var p = new ClipPreprocessor(ClipTransformOptions.OpenClip(4));
        var pixels = Enumerable.Repeat((byte)200, 6 * 5).ToArray();
        using var t = p.ToTensor(new DecodedImage(6, 5, ImageMode.Grey, pixels), CPU);
        Assert.Equal(new long[] { 3, 4, 4 }, t.shape);
        for (int c = 0; c < 3; c++)
        {
            float expected = (200 / 255f - (float)ClipTransformOptions.OpenAiMean[c]) / (float)ClipTransformOptions.OpenAiStd[c];
            using var plane = t[c];
            Assert.Equal(expected, plane.min().item<float>());
            Assert.Equal(expected, plane.max().item<float>());
        }
    }

    private void AssertBitExact(ClipTransformOptions options, IReadOnlyList<string> files, Tensor golden, string what)
    {
        var p = new ClipPreprocessor(options);
        using var scope = NewDisposeScope();
        var images = files.Select(_decoder.Decode).ToList();
        var ours = p.ToBatch(images, CPU);
        Assert.Equal(golden.shape, ours.shape);
        var std = tensor(options.Std.Select(s => (float)s).ToArray()).view(1, 3, 1, 1);
        // One grey level is 1/255/std in normalised units; report the worst per image.
        var levels = ((ours - golden).abs() * std * 255).amax([1, 2, 3]);
        for (int i = 0; i < files.Count; i++)
            output.WriteLine($"{what}[{i}] {Path.GetFileName(files[i])}: max {levels[i].item<float>():F4} grey levels");
        // Same uint8 pixels and the same float32 operations give identical floats.
        TensorAssert.Close(golden, ours, 0, what);
    }
}
