using AnomalyClip.Training.Datasets;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class MosaicAugmentationTests
{
    /// <summary>Class "c": 3 good images, 2 "hole" images with masks; every image has its own pixel pattern.</summary>
    private static (TempDatasetDir Tmp, AnomalyDataset Dataset) Build(int holeWidth = 8, int holeHeight = 6)
    {
        var tmp = new TempDatasetDir();
        for (var i = 0; i < 3; i++)
            tmp.Png($"c/test/good/{i}.png", 8, 6, (x, y) => new Rgb24((byte)(10 * i + x), (byte)(20 + y), (byte)(100 + i)));
        for (var i = 0; i < 2; i++)
        {
            var k = i;
            tmp.Png($"c/test/hole/{i}.png", holeWidth, holeHeight, (x, y) => new Rgb24((byte)(200 + x), (byte)(50 * k + y), 7));
            // Grey levels 0/1/200: binarisation must turn every non-zero value into 255.
            tmp.Mask($"c/ground_truth/hole/{i}_mask.png", holeWidth, holeHeight, (x, y) => (byte)(y == k ? 1 : x == 2 ? 200 : 0));
        }
        return (tmp, MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
    }

    [Fact]
    public void TilesAreDrawnDefectFirstThenFileFromTheSeed()
    {
        var (tmp, dataset) = Build();
        using var _ = tmp;
        var mosaic = new MosaicAugmentation(dataset, 1, new Random(123));
        var replay = new Random(123);
        var groups = new[] { dataset.Test["c"].Take(3).ToArray(), dataset.Test["c"].Skip(3).ToArray() };
        for (var draw = 0; draw < 20; draw++)
        {
            var expected = Enumerable.Range(0, 4).Select(_ =>
            {
                var g = groups[replay.Next(2)];
                return g[replay.Next(g.Length)];
            }).ToList();
            Assert.Equal(expected, mosaic.PickTiles("c"));
        }
        var again = new MosaicAugmentation(dataset, 1, new Random(123));
        var other = new MosaicAugmentation(dataset, 1, new Random(124));
        var first = again.PickTiles("c");
        Assert.Equal(new MosaicAugmentation(dataset, 1, new Random(123)).PickTiles("c"), first);
        Assert.NotEqual(Enumerable.Range(0, 5).SelectMany(_ => again.PickTiles("c")), Enumerable.Range(0, 5).SelectMany(_ => other.PickTiles("c")));
        Assert.Throws<ArgumentException>(() => mosaic.PickTiles("absent"));
    }

    [Fact]
    public void ComposePlacesTilesRowMajorAndBinarisesMasks()
    {
        var (tmp, dataset) = Build();
        using var _ = tmp;
        var s = dataset.Test["c"];
        AnomalySample[] tiles = [s[3], s[0], s[4], s[2]]; // hole0, good0, hole1, good2
        using var mosaic = MosaicAugmentation.Compose(tiles);

        Assert.Equal((16, 12), (mosaic.Image.Width, mosaic.Image.Height));
        Assert.Equal((16, 12), (mosaic.Mask.Width, mosaic.Mask.Height));
        Assert.True(mosaic.IsAnomaly);
        (int X, int Y)[] origins = [(0, 0), (8, 0), (0, 6), (8, 6)];
        for (var t = 0; t < 4; t++)
        {
            using var source = Image.Load<Rgb24>(tiles[t].ImagePath);
            using var sourceMask = tiles[t].MaskPath is { } m ? Image.Load<L8>(m) : null;
            for (var y = 0; y < 6; y++)
                for (var x = 0; x < 8; x++)
                {
                    Assert.Equal(source[x, y], mosaic.Image[origins[t].X + x, origins[t].Y + y]);
                    var expected = sourceMask is null ? 0 : sourceMask[x, y].PackedValue > 0 ? 255 : 0;
                    Assert.Equal(expected, mosaic.Mask[origins[t].X + x, origins[t].Y + y].PackedValue);
                }
        }
        // Spot checks by hand: hole0 row 0 is mask value 1 -> 255; good0 block is all zero.
        Assert.Equal(255, mosaic.Mask[5, 0].PackedValue);
        Assert.Equal(0, mosaic.Mask[5, 1].PackedValue);
        Assert.Equal(255, mosaic.Mask[2, 1].PackedValue);
        Assert.Equal(new Rgb24(200, 50, 7), mosaic.Image[0, 6]);
        Assert.Equal(0, Enumerable.Range(8, 8).SelectMany(x => Enumerable.Range(0, 6).Select(y => (int)mosaic.Mask[x, y].PackedValue)).Sum());
    }

    [Fact]
    public void CanvasFollowsFirstTileAndClipsOrLeavesBlack()
    {
        var (tmp, dataset) = Build(holeWidth: 11, holeHeight: 4);
        using var _ = tmp;
        var s = dataset.Test["c"];
        using var mosaic = MosaicAugmentation.Compose([s[0], s[3], s[1], s[4]]); // 8x6 first; holes are 11x4

        Assert.Equal((16, 12), (mosaic.Image.Width, mosaic.Image.Height));
        using var hole0 = Image.Load<Rgb24>(s[3].ImagePath);
        Assert.Equal(hole0[7, 3], mosaic.Image[15, 3]);       // clipped at the right edge
        Assert.Equal(new Rgb24(0, 0, 0), mosaic.Image[12, 4]); // below the short tile: black
        Assert.Equal(0, mosaic.Mask[12, 4].PackedValue);

        using var wide = MosaicAugmentation.Compose([s[3], s[0], s[0], s[0]]);
        Assert.Equal((22, 8), (wide.Image.Width, wide.Image.Height));
        using var normal = MosaicAugmentation.Compose([s[0], s[1], s[2], s[0]]);
        Assert.False(normal.IsAnomaly);
        Assert.All(Enumerable.Range(0, 12).SelectMany(y => Enumerable.Range(0, 16).Select(x => normal.Mask[x, y].PackedValue)), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ProbabilityGatesEachSampleWithOneDraw()
    {
        var (tmp, dataset) = Build();
        using var _ = tmp;
        Assert.Null(new MosaicAugmentation(dataset, 0, new Random(1)).MaybeCreate("c"));
        using (var always = new MosaicAugmentation(dataset, 1, new Random(1)).MaybeCreate("c"))
            Assert.NotNull(always);

        var aug = new MosaicAugmentation(dataset, MosaicAugmentation.PaperProbability, new Random(5));
        var replay = new Random(5);
        var made = 0;
        for (var i = 0; i < 60; i++)
        {
            var expected = replay.NextDouble() < 0.2;
            if (expected) for (var t = 0; t < 4; t++) replay.Next(replay.Next(2) == 0 ? 3 : 2);
            using var m = aug.MaybeCreate("c");
            Assert.Equal(expected, m is not null);
            if (m is not null) made++;
        }
        Assert.InRange(made, 3, 25);
    }

    [Fact]
    public void UndecodableTileIsReported()
    {
        var (tmp, dataset) = Build();
        using var _ = tmp;
        var s = dataset.Test["c"];
        File.WriteAllText(s[4].MaskPath!, "not a png");
        var e = Assert.Throws<DatasetException>(() => MosaicAugmentation.Compose([s[0], s[4], s[0], s[0]]));
        Assert.Equal(s[4].MaskPath, e.FilePath);
    }
}
