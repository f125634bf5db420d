using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Visualization;
using Xunit;

namespace AnomalyClip.Tests.Inference.Visualization;

public class MaskImageTests
{
    [Fact]
    public void Mask_png_round_trips_as_8_bit_grey_0_and_255()
    {
        byte[] mask = [0, 1, 1, 0, 0, 0, 7, 1];
        var dir = Directory.CreateTempSubdirectory("mask-");
        try
        {
            string path = Path.Combine(dir.FullName, "mask.png");
            using (var image = MaskImage.Create(mask, 4, 2)) image.SavePng(path);
            var decoded = new ImageDecoder().Decode(path);
            Assert.Equal((4, 2, ImageMode.Grey), (decoded.Width, decoded.Height, decoded.Mode));
            Assert.Equal(new byte[] { 0, 255, 255, 0, 0, 0, 255, 255 }, decoded.Pixels.ToArray());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Mask_from_a_result_thresholds_strictly_above_at_either_size()
    {
        var map = new AnomalyMap(2, 2, [0.1f, 0.5f, 0.9f, 0.5f]);
        var result = OverlayTestImages.Result(map, 4, 4);
        using var model = MaskImage.Create(result, 0.5, originalSize: false);
        Assert.Equal((2, 2), (model.Width, model.Height));
        Assert.Equal(new byte[] { 0, 0, 255, 0 }, Pixels(model));
        using var original = MaskImage.Create(result, 0.5);
        Assert.Equal((4, 4), (original.Width, original.Height));
        Assert.Equal(result.Mask(0.5, originalSize: true).Select(b => (byte)(b * 255)), Pixels(original));
    }

    [Fact]
    public void Wrong_mask_length_is_rejected() =>
        Assert.Throws<ArgumentException>(() => MaskImage.Create(new byte[5], 2, 2));

    private static byte[] Pixels(SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.L8> image)
    {
        var bytes = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }
}
