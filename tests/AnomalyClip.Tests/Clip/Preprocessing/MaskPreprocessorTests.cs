using System.Text.Json.Nodes;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Preprocessing;

public class MaskPreprocessorTests
{
    private readonly ImageDecoder _decoder = new();

    [Fact]
    public void SoftAndBinarisedMaskMatchGolden()
    {
        var masks = new MaskPreprocessor(48);
        var mask = _decoder.Decode(TestImages.GoldenMask());
        using var soft = masks.ToSoftTensor(mask, CPU);
        using var binary = masks.ToTensor(mask, CPU);
        TensorAssert.Close(Golden.AprilGan("aprilgan/preprocess/mask"), soft, 0, "mask");
        TensorAssert.Close(Golden.AprilGan("aprilgan/preprocess/mask_binarized"), binary, 0, "mask_binarized");
        // The soft mask really has fractional edges, so the threshold is exercised.
        using var fractional = soft.gt(0).logical_and(soft.lt(1)).sum();
        Assert.True(fractional.item<long>() > 0);
    }

    [Fact]
    public void TestDatasetMasksMatchGolden()
    {
        var meta = (JsonObject)JsonNode.Parse(File.ReadAllText(Golden.PathOf("dataset_test", "meta.json")))!;
        var maskOf = meta["test"]!.AsObject().SelectMany(c => c.Value!.AsArray())
            .ToDictionary(r => (string)r!["img_path"]!, r => (string)r!["mask_path"]!);
        var order = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray()
            .Select(n => (string)n!).ToList();
        var masks = new MaskPreprocessor(48, _decoder);
        using var scope = NewDisposeScope();
        var tensors = order.Select(img => maskOf[img] == ""
            ? masks.Empty(CPU)
            : masks.Load(Golden.PathOf("dataset_test", maskOf[img]), CPU)).ToList();
        using var stacked = stack(tensors).squeeze(1);
        TensorAssert.Close(Golden.AprilGan("aprilgan/input/masks"), stacked, 0, "aprilgan/input/masks");
        Assert.True(stacked.sum().item<float>() > 0);
    }

    [Fact]
    public void AnyNonZeroGreyCountsAsDefectAndColourUsesPillowLuma()
    {
        // 2x1 RGB: (2,0,0) has Pillow luma (2*19595 + 0x8000) >> 16 = 1 > 0; (1,0,0) rounds to 0.
        var rgb = new DecodedImage(2, 1, ImageMode.Rgb, [2, 0, 0, 1, 0, 0]);
        var masks = new MaskPreprocessor(2);
        using var soft = masks.ToSoftTensor(rgb, CPU);
        // Upscaling 2→2 wide is a no-op, 1→2 high copies the row: left column 1, right column 0.
        Assert.Equal(new[] { 1f, 0f, 1f, 0f }, soft.data<float>().ToArray());
    }

    [Fact]
    public void BilinearDownscaleThresholdsAtHalf()
    {
        // 4x1 grey [9, 9, 0, 0] binarises to [255, 255, 0, 0]. Bilinear 4->2: output 0 is centred at 1.0 with
        // taps x=0..2 weighted 0.75, 0.75, 0.25 (/1.75), output 1 at 3.0 with taps x=1..3 weighted 0.25, 0.75,
        // 0.75; in 22-bit fixed point that is 255*(2*1797559) -> 219 and 255*599186 -> 36. Height 1->2 copies rows.
        var grey = new DecodedImage(4, 1, ImageMode.Grey, [9, 9, 0, 0]);
        var masks = new MaskPreprocessor(2);
        using var soft = masks.ToSoftTensor(grey, CPU);
        using var binary = masks.ToTensor(grey, CPU);
        Assert.Equal(new long[] { 1, 2, 2 }, soft.shape);
        Assert.Equal(new[] { 219 / 255f, 36 / 255f, 219 / 255f, 36 / 255f }, soft.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 0f, 1f, 0f }, binary.data<float>().ToArray());
    }
}
