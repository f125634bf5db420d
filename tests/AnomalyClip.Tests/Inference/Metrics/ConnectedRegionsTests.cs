using AnomalyClip.Inference.Metrics;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>8-connected labelling like skimage.measure.label on 2-D masks.</summary>
public class ConnectedRegionsTests
{
    private static (int Count, int[] Labels, List<int> Areas) Label(string[] rows)
    {
        int h = rows.Length, w = rows[0].Length;
        var mask = rows.SelectMany(r => r.Select(c => (byte)(c == '#' ? 1 : 0))).ToArray();
        var labels = new int[h * w];
        var areas = new List<int>();
        int count = ConnectedRegions.Label(mask, h, w, labels, new int[h * w], areas);
        return (count, labels, areas);
    }

    [Fact]
    public void SquaresTouchingAtACornerAreOneRegion()
    {
        var (count, _, areas) = Label([
            "##....",
            "##....",
            "..##..",
            "..##..",
        ]);
        Assert.Equal(1, count);
        Assert.Equal([8], areas);
    }

    [Fact]
    public void SeparatedRegionsAreNumberedInRasterOrder()
    {
        var (count, labels, areas) = Label([
            "...#.#",
            "#..#..",
            "#.....",
            "..####",
        ]);
        Assert.Equal(4, count);
        Assert.Equal([2, 1, 2, 4], areas);
        Assert.Equal(1, labels[3]);  // (0,3) seen first
        Assert.Equal(2, labels[5]);  // (0,5): two columns from (1,3), so not adjacent
        Assert.Equal(3, labels[6]);  // (1,0)
        Assert.Equal(4, labels[20]); // (3,2)
        Assert.Equal(0, labels[0]);
    }

    [Fact]
    public void RegionsDoNotWrapAroundRowEnds()
    {
        // (0,3) and (1,0) are consecutive in memory but not neighbours.
        var (count, _, _) = Label([
            "...#",
            "#...",
        ]);
        Assert.Equal(2, count);
    }

    [Fact]
    public void DiagonalChainIsOneRegion()
    {
        var (count, _, areas) = Label([
            "#....",
            ".#...",
            "..#..",
            "...#.",
            "....#",
        ]);
        Assert.Equal(1, count);
        Assert.Equal([5], areas);
    }
}
