using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Reliability;

/// <summary>
/// Crafted hostile images (truncated, lying headers, decompression bombs, garbage): each is refused by the decoder
/// with an <see cref="ImageLoadException"/> naming the file, quickly and without inflating memory.
/// </summary>
public class BadImageCorpusTests
{
    private static readonly string Dir = Directory.CreateTempSubdirectory("bad-images-").FullName;

    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Encoded(Action<Image<Rgb24>, MemoryStream> save)
    {
        using var image = Image.Load<Rgb24>(Path.Combine(Golden.Samples, "paper_bdp01", "train", "good",
            Directory.GetFiles(Path.Combine(Golden.Samples, "paper_bdp01", "train", "good")).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!));
        using var ms = new MemoryStream();
        save(image, ms);
        return ms.ToArray();
    }

    public static TheoryData<string> Cases => new()
    {
        "truncated jpeg", "truncated bmp", "truncated tiff", "truncated png", "bmp wider than 65535", "ztxt bomb",
        "16-bit rgba bomb", "empty file", "random bytes", "gif", "text file named png",
    };

    private static (string Path, string Message) Make(string kind)
    {
        byte[] Cut(byte[] full, double keep) => full[..(int)(full.Length * keep)];
        switch (kind)
        {
            case "truncated jpeg": return (Write("cut.jpg", Cut(Encoded((i, s) => i.SaveAsJpeg(s, new JpegEncoder { Quality = 90 })), 0.6)), "truncated JPEG");
            case "truncated bmp": return (Write("cut.bmp", Cut(Encoded((i, s) => i.SaveAsBmp(s, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 })), 0.6)), "truncated BMP");
            case "truncated tiff": return (Write("cut.tif", Cut(Encoded((i, s) => i.SaveAsTiff(s, new TiffEncoder { Compression = SixLabors.ImageSharp.Formats.Tiff.Constants.TiffCompression.None })), 0.6)), "truncated");
            case "truncated png": return (Write("cut.png", Cut(Encoded((i, s) => i.SaveAsPng(s)), 0.6)), "truncated PNG");
            case "bmp wider than 65535":
            {
                var bmp = Encoded((i, s) => i.SaveAsBmp(s, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 }));
                BitConverter.GetBytes(70000).CopyTo(bmp, 18);
                BitConverter.GetBytes(70000).CopyTo(bmp, 22);
                return (Write("huge.bmp", bmp), "");
            }
            case "ztxt bomb":
            {
                // 1 MB of compressed zeros that would inflate to 1 GB of text, next to a valid 2x2 image: metadata is skipped.
                var keyword = "Comment"u8.ToArray();
                var payload = PngWriter.ZlibZeros(1 << 30);
                byte[] chunk = [.. keyword, 0, 0, .. payload];
                return (Write("ztxt.png", PngWriter.Build(2, 2, 8, 2, [new byte[6], new byte[6]], extra: [("zTXt", chunk)])), "");
            }
            case "16-bit rgba bomb":
                return (Write("rgba16.png", PngWriter.Build(8000, 8000, 16, 6, [new byte[8 * 8000]])), "MB");
            case "empty file": return (Write("empty.png", []), "");
            case "random bytes": return (Write("noise.png", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray()), "");
            case "gif": return (Write("anim.gif", "GIF89a\x01\x00\x01\x00\x00\x00\x00;"u8.ToArray()), "not supported");
            default: return (Write("text.png", "not an image at all\n"u8.ToArray()), "not a recognised image");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void IsRefusedNamingTheFileWithoutInflating(string kind)
    {
        var (path, message) = Make(kind);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        if (kind == "ztxt bomb")
        {
            var image = new ImageDecoder().Decode(path); // the image itself is valid; its metadata is never inflated
            Assert.Equal((2, 2), (image.Width, image.Height));
        }
        else
        {
            var e = Assert.Throws<ImageLoadException>(() => new ImageDecoder().Decode(path));
            Assert.Equal(path, e.FilePath);
            Assert.StartsWith(path + ": ", e.Message);
            Assert.Contains(message, e.Message);
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < 64L << 20, $"{kind}: allocated {allocated >> 20} MB");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{kind}: took {watch.Elapsed}");
    }
}
