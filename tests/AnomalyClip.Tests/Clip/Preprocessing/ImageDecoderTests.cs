using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Preprocessing;

public sealed class ImageDecoderTests : IDisposable
{
    private readonly ImageDecoder _decoder = new();
    private readonly string _dir = TestImages.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private DecodedImage DecodePng(int width, int height, int bitDepth, int colorType, byte[][] rows,
        byte[]? plte = null, byte[]? trns = null) =>
        _decoder.Decode(Write("x.png", PngWriter.Build(width, height, bitDepth, colorType, rows, plte, trns)));

    private static void AssertImage(DecodedImage image, int width, int height, ImageMode mode, byte[] pixels)
    {
        Assert.Equal((width, height, mode), (image.Width, image.Height, image.Mode));
        Assert.Equal(pixels, image.Pixels.ToArray());
    }

    [Fact]
    public void GoldenImagesOpenInPillowModes()
    {
        var modes = TestImages.GoldenImages().Select(p => _decoder.Decode(p).Mode).ToArray();
        Assert.Equal(new[] { ImageMode.Rgb, ImageMode.Rgb, ImageMode.Rgb, ImageMode.Rgba, ImageMode.Grey, ImageMode.Rgb },
            modes);
        var rgba = _decoder.Decode(TestImages.GoldenImages()[3]);
        Assert.Equal((80, 100), (rgba.Width, rgba.Height));
    }

    [Fact]
    public void SixteenBitColourKeepsHighByte()
    {
        // One RGB pixel 0x1234 0xABCD 0xFF00 -> 0x12 0xAB 0xFF, as Pillow's RGB;16B unpacker.
        AssertImage(DecodePng(1, 1, 16, 2, [[0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00]]), 1, 1, ImageMode.Rgb, [0x12, 0xAB, 0xFF]);
        AssertImage(DecodePng(1, 1, 16, 6, [[0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x00, 0x80, 0xFF]]), 1, 1, ImageMode.Rgba,
            [0x12, 0xAB, 0xFF, 0x80]);
        AssertImage(DecodePng(1, 1, 16, 4, [[0x7F, 0xFF, 0x01, 0x00]]), 1, 1, ImageMode.GreyAlpha, [0x7F, 0x01]);
    }

    [Fact]
    public void SixteenBitGreyClipsLikePillow()
    {
        // Pillow opens 16-bit grey as mode "I"; convert("L"/"RGB") clips at 255.
        AssertImage(DecodePng(4, 1, 16, 0, [[0, 0, 0, 100, 0x01, 0x2C, 0xFF, 0xFF]]), 4, 1, ImageMode.Grey,
            [0, 100, 255, 255]);
    }

    [Fact]
    public void GreyAlphaDecodesAndConvertsToGreyRgb()
    {
        var image = DecodePng(2, 2, 8, 4, [[200, 0, 100, 255], [50, 128, 0, 7]]);
        AssertImage(image, 2, 2, ImageMode.GreyAlpha, [200, 0, 100, 255, 50, 128, 0, 7]);
        // 2x2 squashed to 2x2: no resize, so RGB = grey replicated and alpha dropped (not composited).
        using var t = new ClipPreprocessor(ClipTransformOptions.AprilGan(2)).ToTensor(image, CPU);
        for (int c = 0; c < 3; c++)
        {
            float mean = (float)ClipTransformOptions.OpenAiMean[c], std = (float)ClipTransformOptions.OpenAiStd[c];
            var expected = new byte[] { 200, 100, 50, 0 }.Select(v => (v / 255f - mean) / std).ToArray();
            using var plane = t[c].flatten();
            Assert.Equal(expected, plane.data<float>().ToArray());
        }
    }

    [Fact]
    public void PaletteDecodesToItsColoursIgnoringTransparency()
    {
        byte[] plte = [255, 0, 0, 0, 255, 0, 10, 20, 30];
        var image = DecodePng(3, 1, 8, 3, [[2, 0, 1]], plte, trns: [0, 128]);
        AssertImage(image, 3, 1, ImageMode.Palette, [10, 20, 30, 255, 0, 0, 0, 255, 0]);
        // 4-bit palette rows pack two indices per byte.
        AssertImage(DecodePng(2, 1, 4, 3, [[0x21]], plte), 2, 1, ImageMode.Palette, [10, 20, 30, 0, 255, 0]);
    }

    [Fact]
    public void LowBitGreyAndTransparencyChunksKeepPillowModes()
    {
        AssertImage(DecodePng(8, 1, 1, 0, [[0b1010_0000]]), 8, 1, ImageMode.Bilevel, [255, 0, 255, 0, 0, 0, 0, 0]);
        AssertImage(DecodePng(4, 1, 2, 0, [[0b00_01_10_11]]), 4, 1, ImageMode.Grey, [0, 85, 170, 255]);
        // tRNS on grey or RGB does not make Pillow add an alpha band.
        AssertImage(DecodePng(2, 1, 8, 0, [[7, 9]], trns: [0, 7]), 2, 1, ImageMode.Grey, [7, 9]);
        AssertImage(DecodePng(1, 1, 8, 2, [[1, 2, 3]], trns: [0, 1, 0, 2, 0, 3]), 1, 1, ImageMode.Rgb, [1, 2, 3]);
    }

    [Fact]
    public void MissingFileNamesThePath()
    {
        string path = Path.Combine(_dir, "nope.png");
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void TruncatedPngIsRefused(double keep)
    {
        byte[] full = File.ReadAllBytes(TestImages.GoldenImages()[1]);
        string path = Write("truncated.png", full[..(int)(full.Length * keep)]);
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(path));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void RandomBytesAreRefused()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        string path = Write("random.png", bytes);
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(path));
        Assert.Contains("not a recognised image", e.Message);
    }

    [Fact]
    public void GifIsRefusedByName()
    {
        string path = Path.Combine(_dir, "x.gif");
        using (var gif = new Image<Rgb24>(4, 4)) gif.SaveAsGif(path);
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(path));
        Assert.Contains("GIF images are not supported", e.Message);
    }

    [Fact]
    public void DecompressionBombIsRefusedFromTheHeader()
    {
        byte[] bomb = PngWriter.HeaderOnly(60000, 60000);
        string path = Write("bomb.png", bomb);
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(path));
        Assert.Contains("60000x60000 = 3600000000 pixels", e.Message);
        Assert.Contains("limit of 89478485", e.Message);
        using var stream = new MemoryStream(bomb);
        Assert.Throws<ImageLoadException>(() => _decoder.Decode(stream, "bomb-stream"));

        // The pixel limit is configurable: a small limit refuses an ordinary image too.
        var strict = new ImageDecoder(new ImageDecodeOptions { MaxPixels = 1000 });
        Assert.Contains("limit of 1000", Assert.Throws<ImageLoadException>(
            () => strict.Decode(TestImages.GoldenImages()[0])).Message);
    }

    [Fact]
    public void AllocationCapStopsHeadersThatPassThePixelLimit()
    {
        // 8000x8000 RGB needs 192 MB; with the pixel limit lifted, the 16 MB allocation cap has to stop it.
        var lax = new ImageDecoder(new ImageDecodeOptions { MaxPixels = long.MaxValue, AllocationLimitMegabytes = 16 });
        string path = Write("big.png", PngWriter.HeaderOnly(8000, 8000));
        var e = Assert.Throws<ImageLoadException>(() => lax.Decode(path));
        Assert.Contains("allocate", e.Message);
    }

    [Fact]
    public void StreamDecodingMatchesFileDecoding()
    {
        string path = TestImages.GoldenImages()[3];
        var fromFile = _decoder.Decode(path);
        using var nonSeekable = new NonSeekableStream(File.ReadAllBytes(path));
        var fromStream = _decoder.Decode(nonSeekable, "rgba-stream");
        AssertImage(fromStream, fromFile.Width, fromFile.Height, fromFile.Mode, fromFile.Pixels.ToArray());
        var e = Assert.Throws<ImageLoadException>(() => _decoder.Decode(new MemoryStream([1, 2, 3]), "three-bytes"));
        Assert.Equal("three-bytes", e.FilePath);
    }

    [Fact]
    public void JpegBmpAndTiffDecode()
    {
        using var colour = new Image<Rgb24>(16, 16, new Rgb24(30, 140, 220));
        string jpg = Path.Combine(_dir, "c.jpg");
        colour.SaveAsJpeg(jpg, new JpegEncoder { Quality = 100 });
        var decoded = _decoder.Decode(jpg);
        Assert.Equal((16, 16, ImageMode.Rgb), (decoded.Width, decoded.Height, decoded.Mode));
        byte[] expected = [30, 140, 220];
        var px = decoded.Pixels.ToArray();
        for (int i = 0; i < px.Length; i++) Assert.InRange(px[i] - expected[i % 3], -3, 3);

        using var grey = new Image<L8>(8, 8, new L8(77));
        string greyJpg = Path.Combine(_dir, "g.jpg");
        grey.SaveAsJpeg(greyJpg, new JpegEncoder { Quality = 100, ColorType = JpegColorType.Luminance });
        var greyDecoded = _decoder.Decode(greyJpg);
        Assert.Equal(ImageMode.Grey, greyDecoded.Mode);
        Assert.All(greyDecoded.Pixels.ToArray(), v => Assert.InRange(v, 76, 78));

        using var small = new Image<Rgb24>(3, 2);
        for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            small[x, y] = new Rgb24((byte)(x * 50), (byte)(y * 90), 7);
        byte[] smallPixels = [0, 0, 7, 50, 0, 7, 100, 0, 7, 0, 90, 7, 50, 90, 7, 100, 90, 7];
        string bmp = Path.Combine(_dir, "s.bmp");
        small.SaveAsBmp(bmp);
        AssertImage(_decoder.Decode(bmp), 3, 2, ImageMode.Rgb, smallPixels);
        string tif = Path.Combine(_dir, "s.tif");
        small.SaveAsTiff(tif);
        AssertImage(_decoder.Decode(tif), 3, 2, ImageMode.Rgb, smallPixels);
        string greyTif = Path.Combine(_dir, "g.tif");
        grey.SaveAsTiff(greyTif, new TiffEncoder { BitsPerPixel = TiffBitsPerPixel.Bit8 });
        AssertImage(_decoder.Decode(greyTif), 8, 8, ImageMode.Grey, Enumerable.Repeat((byte)77, 64).ToArray());
    }

    [Fact]
    public void RealDatasetImageDecodesAndPreprocesses()
    {
        string root = Golden.Samples;
        string file = Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories).Order().First();
        var image = _decoder.Decode(file);
        Assert.True(image.Width > 100 && image.Height > 100);
        using var t = new ClipPreprocessor(ClipTransformOptions.OpenClip(224)).ToTensor(image, CPU);
        Assert.Equal(new long[] { 3, 224, 224 }, t.shape);
        Assert.True(t.isfinite().all().item<bool>());
        // Normalised 0..255 spans about [-1.8, 2.2]; a real photo is not constant.
        Assert.InRange(t.min().item<float>(), -1.80f, 2.15f);
        Assert.True(t.max().item<float>() > t.min().item<float>());
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
