using AnomalyClip.Backbones.Preprocessing;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Backbones;

/// <summary>
/// <see cref="AnomalyClip.Backbones.IFeatureBackbone.Preprocess"/> against the package's own ResNetPreprocess.onnx
/// run in ONNX Runtime on the same 224×224 RGB pixels (after Pillow's squash resize).
/// </summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNetPreprocessingTests(ResNet18Fixture fixture, ITestOutputHelper output)
{
    // Channel means of the package's mean image (B, G, R), from the notes on the model.
    private static readonly double[] MeanBgr = [103.0626, 115.9029, 123.1516];

    [Fact]
    public void Preprocess_MatchesThePackagesGraph()
    {
        using var scope = NewDisposeScope();
        // Real samples (512 and 128 px), a non-square image (squashed, not cropped) and a grey one.
        var images = fixture.Images.Concat([Gradient(300, 200), Grey(150, 150)]).ToList();
        Tensor ours = fixture.Backbone.Preprocess(images);
        Assert.Equal([images.Count, 3L, 224, 224], ours.shape);

        using InferenceSession session = OnnxRuntimeReference.Session(ModelProto.Parser.ParseFromFile(fixture.PreprocessPath));
        for (int i = 0; i < images.Count; i++)
        {
            byte[] rgb = PillowModeConversion.ToRgb(PillowResampler.Resize(images[i], 224, 224, ResampleFilter.Bilinear));
            Tensor planar = tensor(rgb.Select(b => (float)b).ToArray(), [224, 224, 3]).permute(2, 0, 1).unsqueeze(0).contiguous();
            Tensor expected = OnnxRuntimeReference.Run(session, planar, "PreprocessedInput")["PreprocessedInput"];
            double diff = (ours[i].unsqueeze(0) - expected).abs().max().item<float>();
            output.WriteLine($"image {i} ({images[i].Width}x{images[i].Height} {images[i].Mode}): max abs diff {diff:E2}");
            TensorAssert.Close(expected, ours[i].unsqueeze(0), 1e-4, $"image {i}");
        }
    }

    [Fact]
    public void Preprocess_IsBgrInZeroTo255MinusTheMeanImage()
    {
        using var scope = NewDisposeScope();
        var red = new DecodedImage(224, 224, ImageMode.Rgb, Enumerable.Range(0, 224 * 224 * 3).Select(i => i % 3 == 0 ? (byte)255 : (byte)0).ToArray());
        Tensor black = fixture.Backbone.Preprocess([Solid(224, 0)]);
        Tensor shifted = fixture.Backbone.Preprocess([red]) - black;
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(MeanBgr[c], -black[0, c].mean().item<float>(), 3);
            // Only the last (R) channel of BGR sees the red, at full 0..255 scale.
            Assert.Equal(c == 2 ? 255.0 : 0.0, shifted[0, c].mean().item<float>(), 4);
        }
    }

    [Fact]
    public void Preprocess_AtAnotherSize_ResizesTheMeanImage()
    {
        using var scope = NewDisposeScope();
        var preprocessor = ResNetPreprocessor.Load(fixture.PreprocessPath, 320);
        Tensor black = preprocessor.ToBatch([Solid(100, 0)], CPU);
        Assert.Equal([1L, 3, 320, 320], black.shape);
        for (int c = 0; c < 3; c++) Assert.Equal(MeanBgr[c], -black[0, c].mean().item<float>(), 1);
        // A smooth image, so its resized corner stays close to the original corner.
        Tensor small = fixture.Backbone.Preprocess([Solid(100, 0)]);
        Assert.InRange(Math.Abs(black[0, 0, 0, 0].item<float>() - small[0, 0, 0, 0].item<float>()), 0, 2);
    }

    private static DecodedImage Solid(int side, byte value) =>
        new(side, side, ImageMode.Rgb, Enumerable.Repeat(value, side * side * 3).ToArray());

    private static DecodedImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                pixels[o] = (byte)(x * 255 / width);
                pixels[o + 1] = (byte)(y * 255 / height);
                pixels[o + 2] = (byte)((x * y) % 256);
            }
        return new DecodedImage(width, height, ImageMode.Rgb, pixels);
    }

    private static DecodedImage Grey(int width, int height) =>
        new(width, height, ImageMode.Grey, Enumerable.Range(0, width * height).Select(i => (byte)(i * 7 % 256)).ToArray());
}
