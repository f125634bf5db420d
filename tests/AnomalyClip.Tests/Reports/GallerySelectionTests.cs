using AnomalyClip.Reports;
using AnomalyClip.Reports.Gallery;
using Xunit;

namespace AnomalyClip.Tests.Reports;

/// <summary>Which images the worst and best galleries show, and in which order.</summary>
public class GallerySelectionTests
{
    // n3 (normal, 0.9) outscores a1, a2 and a4: badness 3/4. a1, a2, a4 are each outscored by n3: 1/3, ordered by how far
    // below n3 they are (a1 furthest). n1, n2, a3 are ranked correctly against everything.
    private static readonly ReportImage[] Images =
    [
        new("n1", false, 0.1, null), new("n2", false, 0.2, null), new("n3", false, 0.9, null),
        new("a1", true, 0.3, null), new("a2", true, 0.5, null), new("a3", true, 0.95, null), new("a4", true, 0.8, null),
    ];

    [Fact]
    public void WorstAreTheMistakesInOrderOfHowManyTheyOutrank()
    {
        var (worst, _) = GallerySelection.Select(Images, 4, 0);
        Assert.Equal(["n3", "a1", "a2", "a4"], worst.Select(e => e.Image.File));
        Assert.Equal(0.75, worst[0].Badness, 12);
        Assert.Equal((3, 4), (worst[0].Outranked, worst[0].Opposite));
        Assert.Equal((1, 3), (worst[1].Outranked, worst[1].Opposite));
        Assert.All(worst, e => Assert.True(e.IsMistake));
    }

    [Fact]
    public void BestAreTheMostConfidentCorrectOnesAndNeverRepeatTheWorst()
    {
        var (worst, best) = GallerySelection.Select(Images, 3, 10);
        Assert.Equal(["n3", "a1", "a2"], worst.Select(e => e.Image.File));
        // n1 lies 0.2 below the lowest anomalous score, n2 0.1, a3 0.05 above the highest normal; then a4, a mistake.
        Assert.Equal(["n1", "n2", "a3", "a4"], best.Select(e => e.Image.File));
        Assert.False(best[0].IsMistake);
    }

    [Fact]
    public void TiesCountAsMistakes()
    {
        var (worst, _) = GallerySelection.Select([new("n", false, 0.5, null), new("a", true, 0.5, null), new("b", true, 0.7, null)], 3, 0);
        Assert.Equal(["a", "n", "b"], worst.Select(e => e.Image.File));
        Assert.Equal(0.5, worst[0].Badness, 12);
        Assert.True(worst[0].IsMistake);
        Assert.True(worst[1].IsMistake);
        Assert.False(worst[2].IsMistake);
    }

    [Fact]
    public void OneLabelValueRanksByScore()
    {
        ReportImage[] normal = [new("low", false, 0.1, null), new("high", false, 0.8, null), new("mid", false, 0.4, null)];
        var (worst, best) = GallerySelection.Select(normal, 1, 5);
        Assert.Equal(["high"], worst.Select(e => e.Image.File));
        Assert.Equal(["low", "mid"], best.Select(e => e.Image.File));
        Assert.All(worst.Concat(best), e => Assert.False(e.IsMistake));

        ReportImage[] anomalous = [new("low", true, 0.1, null), new("high", true, 0.8, null)];
        Assert.Equal("low", GallerySelection.Select(anomalous, 1, 0).Worst[0].Image.File);
    }

    [Fact]
    public void EmptyClassGivesEmptyGalleries()
    {
        var (worst, best) = GallerySelection.Select([], 6, 6);
        Assert.Empty(worst);
        Assert.Empty(best);
    }
}
