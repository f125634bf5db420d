using AnomalyClip.Clip.Preprocessing;
using Xunit;

namespace AnomalyClip.Tests.Clip.Preprocessing;

public class PillowResamplerTests
{
    [Fact]
    public void BicubicDownscaleWeightsAndPixelsMatchHandComputation()
    {
        // 4 -> 2: scale 2, support 2*2 = 4. Output 0 is centred at 1.0, window (int)(1-4+0.5) -> 0 ..
        // (int)(1+4+0.5) = 5 clamped to 4, taps at distances 0.25, 0.25, 0.75, 1.25 (halved): kernel 0.8671875 (x2),
        // 0.2265625, -0.0703125, sum 1.890625, then * 2^22 rounded away from zero.
        var (bounds, weights, ksize) = PillowResampler.Coefficients(4, 2, ResampleFilter.Bicubic);
        Assert.Equal(9, ksize);
        Assert.Equal(new[] { 0, 4, 0, 4 }, bounds);
        Assert.Equal(new[] { 1923834, 1923834, 502623, -155987 }, weights[..4]);
        Assert.Equal(new[] { -155987, 502623, 1923834, 1923834 }, weights[9..13]);

        // (255*(502623-155987) + 2^21) >> 22 = 21 and (255*2*1923834 + 2^21) >> 22 = 234.
        var row = new DecodedImage(4, 1, ImageMode.Grey, [0, 0, 255, 255]);
        Assert.Equal(new byte[] { 21, 234 }, PillowResampler.Resize(row, 2, 1, ResampleFilter.Bicubic).Pixels.ToArray());
    }

    [Fact]
    public void BicubicUpscaleClipsNegativeLobes()
    {
        // 3 -> 5: no antialiasing (support 2); output 0 = (10*4510855 - 200*316551 + 2^21) >> 22 < 0 -> 0.
        var (_, weights, _) = PillowResampler.Coefficients(3, 5, ResampleFilter.Bicubic);
        Assert.Equal(new[] { 4510855, -316551 }, weights[..2]);
        var column = new DecodedImage(1, 3, ImageMode.Grey, [10, 200, 30]);
        Assert.Equal(new byte[] { 0, 84, 200, 98, 17 },
            PillowResampler.Resize(column, 1, 5, ResampleFilter.Bicubic).Pixels.ToArray());
    }

    [Theory]
    [InlineData(7, 5, 3, 2)]
    [InlineData(3, 2, 7, 9)]
    [InlineData(100, 75, 48, 48)]
    [InlineData(48, 48, 100, 31)]
    public void ConstantImagesStayConstant(int w, int h, int outW, int outH)
    {
        foreach (byte v in new byte[] { 0, 1, 128, 254, 255 })
        foreach (var filter in new[] { ResampleFilter.Bicubic, ResampleFilter.Bilinear })
        {
            var image = new DecodedImage(w, h, ImageMode.Rgb, Enumerable.Repeat(v, w * h * 3).ToArray());
            var resized = PillowResampler.Resize(image, outW, outH, filter);
            Assert.Equal((outW, outH), (resized.Width, resized.Height));
            Assert.All(resized.Pixels.ToArray(), p => Assert.Equal(v, p));
        }
    }

    [Fact]
    public void RgbaIsResampledPremultiplied()
    {
        // Opaque red beside transparent blue, 2 -> 1 bilinear (two taps of 0.5): premultiplied the blue vanishes,
        // R = A = 128, and un-premultiplying gives 255*128/128 = 255. Straight averaging would give (128,0,128,128).
        var image = new DecodedImage(2, 1, ImageMode.Rgba, [255, 0, 0, 255, 0, 0, 255, 0]);
        Assert.Equal(new byte[] { 255, 0, 0, 128 },
            PillowResampler.Resize(image, 1, 1, ResampleFilter.Bilinear).Pixels.ToArray());
    }

    [Fact]
    public void PremultiplyRoundTripUsesPillowIntegerRounding()
    {
        // MULDIV255(200, 3): t = 728, ((t >> 8) + t) >> 8 = 2; back: 255*2/3 = 170.
        byte[] pre = PillowModeConversion.Premultiply([200, 3], 2);
        Assert.Equal(new byte[] { 2, 3 }, pre);
        PillowModeConversion.UnpremultiplyInPlace(pre, 2);
        Assert.Equal(new byte[] { 170, 3 }, pre);
        byte[] edge = [77, 0, 250, 255];
        PillowModeConversion.UnpremultiplyInPlace(edge, 2);
        Assert.Equal(new byte[] { 77, 0, 250, 255 }, edge);
    }

    [Fact]
    public void SameSizeResizeIsACopyWithoutPremultiplying()
    {
        var image = new DecodedImage(1, 1, ImageMode.Rgba, [200, 100, 50, 3]);
        Assert.Equal(new byte[] { 200, 100, 50, 3 },
            PillowResampler.Resize(image, 1, 1, ResampleFilter.Bicubic).Pixels.ToArray());
    }

    [Fact]
    public void PaletteAndBilevelImagesAlwaysUseNearest()
    {
        // Nearest 4 -> 2 samples at (int)(2*0.5) = 1 and (int)(1 + 2) = 3.
        var palette = new DecodedImage(4, 1, ImageMode.Palette, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Equal(new byte[] { 4, 5, 6, 10, 11, 12 },
            PillowResampler.Resize(palette, 2, 1, ResampleFilter.Bicubic).Pixels.ToArray());
        var bilevel = new DecodedImage(1, 3, ImageMode.Bilevel, [0, 255, 0]);
        // 3 -> 2 rows: positions 0.75 and 2.25 -> rows 0 and 2.
        Assert.Equal(new byte[] { 0, 0 }, PillowResampler.Resize(bilevel, 1, 2, ResampleFilter.Bilinear).Pixels.ToArray());
    }
}
