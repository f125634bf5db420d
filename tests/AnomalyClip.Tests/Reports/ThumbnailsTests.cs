using AnomalyClip.Reports.Gallery;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Reports;

/// <summary>Overlay files become small embedded JPEGs, or a note when they cannot be used.</summary>
public sealed class ThumbnailsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyclip-thumbs-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(518, 518, 256, 256, 256)]
    [InlineData(600, 300, 256, 256, 128)]
    [InlineData(300, 900, 256, 85, 256)]
    [InlineData(100, 50, 256, 100, 50)] // never upscaled
    [InlineData(5000, 1, 256, 256, 1)]
    public void FitInsideKeepsTheAspectRatio(int w, int h, int max, int ew, int eh) =>
        Assert.Equal((ew, eh), Thumbnails.FitInside(w, h, max));

    [Fact]
    public void SmallImagesAreKeptAtTheirSize()
    {
        var path = Path.Combine(_root, "small.png");
        using (var image = new Image<Rgba32>(40, 30, new Rgba32(200, 10, 10, 255))) image.SaveAsPng(path);
        var thumb = Thumbnails.Load(path, 256, 85);
        Assert.Null(thumb.Problem);
        Assert.Equal((40, 30), (thumb.Width, thumb.Height));
        Assert.StartsWith("data:image/jpeg;base64,", thumb.DataUri);
    }

    [Fact]
    public void UnusableFilesGiveANote()
    {
        var broken = Path.Combine(_root, "broken.png");
        File.WriteAllText(broken, "this is not a PNG");
        Assert.Equal("overlay is not a readable image", Thumbnails.Load(broken, 256, 85).Problem);
        Assert.Equal("overlay file not found", Thumbnails.Load(Path.Combine(_root, "missing.png"), 256, 85).Problem);
        Assert.Equal("no overlay", Thumbnails.Load(null, 256, 85).Problem);
        Assert.Null(Thumbnails.Load(broken, 256, 85).DataUri);
    }
}
