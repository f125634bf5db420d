using AnomalyClip.Inference.Metrics;
using AnomalyClip.Reports;
using Xunit;

namespace AnomalyClip.Tests.Reports;

/// <summary>The report prints the same digits as results.md.</summary>
public class FormattingTests
{
    [Theory]
    [InlineData(0.8324, "83.2")]
    [InlineData(1.0, "100.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(0.66666, "66.7")]
    [InlineData(double.NaN, "–")]
    [InlineData(double.PositiveInfinity, "–")]
    public void PercentHasOneDecimal(double fraction, string expected) => Assert.Equal(expected, Formatting.Percent(fraction));

    [Fact]
    public void PercentMatchesTheMarkdownTable()
    {
        var rng = new Random(11);
        for (int i = 0; i < 10000; i++)
        {
            // Many values sit on a rounding midpoint (k/2000), where float error decides.
            double x = i % 2 == 0 ? rng.NextDouble() : rng.Next(0, 2001) / 2000.0;
            Assert.Equal(MetricSuite.Percent(x), Formatting.Percent(x));
        }
    }
}
