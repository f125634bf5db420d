using AnomalyClip.Inference.Metrics;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>Mean row and table formatting.</summary>
public class MetricSuiteTests
{
    private static readonly ClassMetrics A = new("bottle", 0.8324693034816064, 0.26, 0.2011905607201249, 0.6672795588423792, 0.8666666666666667, 1.0, 0.9266666666666666, 0.5);
    private static readonly ClassMetrics B = new("grid", 0.923069824851181, 0.4, 0.3394358209389518, 0.7530060517453535, 1.0, 0.5, 1.0, 0.25);

    [Fact]
    public void MeanIsUnweightedAndNaNPropagates()
    {
        var suite = new MetricSuite([A, B]);
        Assert.Equal("mean", suite.Mean.ClassName);
        Assert.Equal((A.PixelAuroc + B.PixelAuroc) / 2, suite.Mean.PixelAuroc, 1e-15);
        Assert.Equal(0.75, suite.Mean.ImageF1Max, 1e-15);
        Assert.Equal(0.375, suite.Mean.AuproStandard, 1e-15);
        var withNaN = new MetricSuite([A, B with { ClassName = "pcb1", ImageAuroc = double.NaN }]);
        Assert.True(double.IsNaN(withNaN.Mean.ImageAuroc));
        Assert.False(double.IsNaN(withNaN.Mean.PixelAuroc));
    }

    [Fact]
    public void PercentRoundsLikeNumpy()
    {
        Assert.Equal("83.2", MetricSuite.Percent(0.8324693034816064));
        Assert.Equal("100.0", MetricSuite.Percent(1.0));
        Assert.Equal("26.0", MetricSuite.Percent(0.26));
        Assert.Equal("0.0", MetricSuite.Percent(0.0));
        Assert.Equal("nan", MetricSuite.Percent(double.NaN));
        Assert.Equal("0.2", MetricSuite.Percent(0.0025)); // 0.25 → rint(2.5) = 2 (half to even)
    }

    [Fact]
    public void MarkdownHasThePaperColumnsAndAMeanRow()
    {
        var lines = new MetricSuite([A, B]).ToMarkdown().TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Equal(["objects", "auroc_px", "f1_px", "ap_px", "aupro", "auroc_sp", "f1_sp", "ap_sp"], Cells(lines[0]));
        Assert.Matches(@"^\|:-+\|(-+:\|){7}$", lines[1]);
        Assert.Equal(["bottle", "83.2", "26.0", "20.1", "66.7", "86.7", "100.0", "92.7"], Cells(lines[2]));
        Assert.Equal(["mean", "87.8", "33.0", "27.0", "71.0", "93.3", "75.0", "96.3"], Cells(lines[4]));
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));

        var withStd = new MetricSuite([A, B]).ToMarkdown(includeStandardAupro: true).Split('\n');
        Assert.Equal("aupro_std", Cells(withStd[0])[^1]);
        Assert.Equal("50.0", Cells(withStd[2])[^1]);
    }

    [Fact]
    public void CsvRoundTripsFullPrecision()
    {
        var lines = new MetricSuite([A, B with { ClassName = "a,b" }]).ToCsv().TrimEnd('\n').Split('\n');
        Assert.Equal("objects,auroc_px,f1_px,ap_px,aupro,auroc_sp,f1_sp,ap_sp,aupro_std", lines[0]);
        var bottle = lines[1].Split(',');
        Assert.Equal("bottle", bottle[0]);
        Assert.Equal(A.PixelAuroc, double.Parse(bottle[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("\"a,b\",", lines[2]);
        Assert.StartsWith("mean,", lines[3]);
    }

    [Fact]
    public void RejectsEmptyAndDuplicateClasses()
    {
        Assert.Throws<ArgumentException>(() => new MetricSuite([]));
        Assert.Throws<ArgumentException>(() => new MetricSuite([A, A]));
    }

    private static string[] Cells(string line) => line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
