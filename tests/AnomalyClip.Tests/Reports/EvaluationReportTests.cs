using System.Text.RegularExpressions;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Reports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Reports;

/// <summary>
/// Writes a report from hand-made data (a class with both labels and overlays, a class with normal images only and
/// a missing overlay) and checks what a reader of the file would rely on.
/// </summary>
public sealed partial class EvaluationReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anomalyclip-report-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private const string HostileTitle = "Run <script>alert(1)</script> & co";
    private const string HostileClass = "cls <i>&\"x\"";
    private const string HostileFile = "good/n'1<b>.png";

    private static ClassMetrics Metrics(string name, double v) => new(name, v, v, v, v, v, v, v, v);

    private string Overlay(string name, int width, int height, byte shade)
    {
        var path = Path.Combine(_root, "overlays", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24(shade, (byte)(x * 255 / width), (byte)(y * 255 / height));
        image.SaveAsPng(path);
        return path;
    }

    private ReportInput Input()
    {
        // Class A: n3 outscores three anomalous images, a1 and a2 sit below it (see GallerySelectionTests).
        var a = new ReportClass(HostileClass,
            new ClassMetrics(HostileClass, PixelAuroc: 0.91234, PixelF1Max: 0.4567, PixelAp: 0.3333, Aupro: 0.7777,
                ImageAuroc: 0.8, ImageF1Max: 0.66666, ImageAp: double.NaN, AuproStandard: 0.123449),
            [
                new(HostileFile, false, 0.1, Overlay("n1.png", 600, 300, 10)),
                new("good/n2.png", false, 0.2, Overlay("n2.png", 64, 48, 40)),
                new("good/n3.png", false, 0.9, Overlay("n3.png", 64, 48, 80)),
                new("bad/a1.png", true, 0.3, Overlay("a1.png", 64, 48, 120)),
                new("bad/a2.png", true, 0.5, Overlay("a2.png", 64, 48, 160)),
                new("bad/a3.png", true, 0.95, Overlay("a3.png", 64, 48, 200)),
                new("bad/a4.png", true, 0.8, Overlay("a4.png", 64, 48, 240)),
            ]);
        // Class B: normal images only; one overlay file is missing, one image has none.
        var b = new ReportClass("only-good", Metrics("only-good", double.NaN),
            [
                new("good/b1.png", false, 0.4, Overlay("b1.png", 32, 32, 90)),
                new("good/b2.png", false, 0.6, Path.Combine(_root, "overlays", "does-not-exist.png")),
                new("good/b3.png", false, 0.5, null),
            ]);
        var settings = new List<KeyValuePair<string, string>> { new("model", "ViT-B-16"), new("note", "a<b>\"c\"") };
        return new ReportInput(HostileTitle, settings, [a, b], Metrics("mean", 0.5));
    }

    private (string Html, string OutDir) Write(ReportOptions? options = null)
    {
        var outDir = Path.Combine(_root, "out");
        var path = Path.Combine(outDir, EvaluationReport.FileName);
        EvaluationReport.Write(Input(), path, options ?? new ReportOptions { WorstPerClass = 3, BestPerClass = 2 });
        return (File.ReadAllText(path), outDir);
    }

    [GeneratedRegex("<img\\b[^>]*>")]
    private static partial Regex ImgTag();

    [GeneratedRegex("\\ssrc=\"([^\"]*)\"")]
    private static partial Regex SrcAttribute();

    [GeneratedRegex("<td[^>]*>([^<]*)</td>")]
    private static partial Regex PlainCell();

    [GeneratedRegex("<div class=\"file\" title=\"([^\"]*)\"")]
    private static partial Regex FileTitle();

    private static string Section(string html, int index)
    {
        int start = html.IndexOf($"<section class=\"class\" id=\"class-{index}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"section {index} missing");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void WritesOneSelfContainedFileAtomically()
    {
        var outDir = Path.Combine(_root, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, EvaluationReport.FileName), "old");
        var (html, _) = Write();

        // Overwritten in place, and no temporary file left behind.
        Assert.Equal([EvaluationReport.FileName], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
        Assert.StartsWith("<!DOCTYPE html>", html);

        var images = ImgTag().Matches(html).Select(m => m.Value).ToList();
        // 2 plots for the class with both labels; 3 + 2 thumbnails for it, 2 of the other class's 3 have no overlay.
        Assert.Equal(2 + 5 + 1, images.Count);
        foreach (var tag in images)
            Assert.StartsWith("data:image/", SrcAttribute().Match(tag).Groups[1].Value);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain(_root, html); // no local path either
    }

    [Fact]
    public void MetricCellsShowPercentWithOneDecimalAndDashForNaN()
    {
        var (html, _) = Write();
        int tableAt = html.IndexOf("<table class=\"metrics\">", StringComparison.Ordinal);
        var table = html[tableAt..html.IndexOf("</table>", tableAt, StringComparison.Ordinal)];
        string Row(string marker)
        {
            int at = table.IndexOf(marker, StringComparison.Ordinal);
            Assert.True(at >= 0, marker);
            int start = table.LastIndexOf("<tr", at + 2, StringComparison.Ordinal);
            return table[start..table.IndexOf("</tr>", at, StringComparison.Ordinal)];
        }
        string[] Cells(string row) => PlainCell().Matches(row).Select(m => m.Groups[1].Value).ToArray();

        // Image AUROC, AP, F1-max, pixel AUROC, AP, F1-max, AUPRO (paper), AUPRO @0.3.
        Assert.Equal(["80.0", "–", "66.7", "91.2", "33.3", "45.7", "77.8", "12.3"], Cells(Row("href=\"#class-0\"")));
        Assert.Equal(Enumerable.Repeat("–", 8), Cells(Row("href=\"#class-1\"")));
        Assert.Equal(Enumerable.Repeat("50.0", 8), Cells(Row("<tr class=\"mean\">")));
    }

    [Fact]
    public void GalleryShowsTheWorstFirstThenTheBest()
    {
        var (html, _) = Write();
        var section = Section(html, 0);
        int split = section.IndexOf("<h3>Best", StringComparison.Ordinal);
        Assert.True(split > 0);
        string[] Files(string part) => FileTitle().Matches(part).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        Assert.Equal(["good/n3.png", "bad/a1.png", "bad/a2.png"], Files(section[..split]));
        Assert.Equal([HostileFile, "good/n2.png"], Files(section[split..]));
        Assert.Contains("scores ≥ 3 of 4 anomalous", section);
        Assert.Contains("scores ≤ 1 of 3 normal", section);
    }

    [Fact]
    public void ThumbnailsAreDownscaledJpegs()
    {
        var (html, _) = Write();
        var tag = ImgTag().Matches(Section(html, 0)).Select(m => m.Value).Single(t => t.Contains("alt=\"good/n&#39;1&lt;b&gt;.png\""));
        Assert.Contains("width=\"256\" height=\"128\"", tag);
        var src = SrcAttribute().Match(tag).Groups[1].Value;
        Assert.StartsWith("data:image/jpeg;base64,", src);
        using var decoded = Image.Load<Rgb24>(Convert.FromBase64String(src["data:image/jpeg;base64,".Length..]));
        Assert.Equal((256, 128), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void ClassWithOneLabelShowsNotesInsteadOfCurvesAndMissingOverlays()
    {
        var (html, _) = Write(new ReportOptions { WorstPerClass = 6, BestPerClass = 6 });
        var a = Section(html, 0);
        var b = Section(html, 1);
        Assert.Equal(2, Regex.Count(a, "<figure class=\"plot\">"));
        Assert.Equal(0, Regex.Count(b, "<figure class=\"plot\">"));
        Assert.Contains("All 3 images are normal", b);
        Assert.Contains("overlay file not found", b);
        Assert.Contains("no overlay", b);
        Assert.Single(ImgTag().Matches(b));
    }

    [Fact]
    public void InputStringsAreEscaped()
    {
        var (html, _) = Write();
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("Run &lt;script&gt;alert(1)&lt;/script&gt; &amp; co", html);
        Assert.DoesNotContain(HostileClass, html);
        Assert.Contains("cls &lt;i&gt;&amp;&quot;x&quot;", html);
        Assert.DoesNotContain("<b>.png", html);
        Assert.Contains("n&#39;1&lt;b&gt;.png", html);
        Assert.Contains("a&lt;b&gt;&quot;c&quot;", html);
    }

    [Fact]
    public void GalleriesCanBeTurnedOffAndOptionsAreChecked()
    {
        var (html, _) = Write(new ReportOptions { WorstPerClass = 0, BestPerClass = 0, GeneratedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 0, TimeSpan.Zero) });
        Assert.DoesNotContain("class=\"gallery\"", html);
        Assert.Contains("2025-01-02 03:04 +00:00", html);
        Assert.Equal(2, ImgTag().Matches(html).Count);

        var path = Path.Combine(_root, "x", EvaluationReport.FileName);
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationReport.Write(Input(), path, new ReportOptions { ThumbnailMaxSide = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationReport.Write(Input(), path, new ReportOptions { WorstPerClass = -1 }));
        var bad = Input() with { Classes = [new ReportClass("c", Metrics("c", 1), [new("f", true, double.NaN, null)])] };
        Assert.Throws<ArgumentException>(() => EvaluationReport.Write(bad, path));
        Assert.False(Directory.Exists(Path.Combine(_root, "x")) && Directory.EnumerateFileSystemEntries(Path.Combine(_root, "x")).Any());
    }
}
