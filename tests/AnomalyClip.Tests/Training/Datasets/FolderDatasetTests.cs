using AnomalyClip.Training.Datasets;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class FolderDatasetTests
{
    private static TempDatasetDir OneClass()
    {
        var tmp = new TempDatasetDir();
        tmp.Png("parts/good/b.png");
        tmp.Png("parts/good/a.jpg.png");
        tmp.Png("parts/scratch/s1.png");
        tmp.Png("parts/scratch/s2.png");
        tmp.Mask("parts/ground_truth/scratch/s1_mask.png");
        tmp.Mask("parts/ground_truth/scratch/s2.png");
        tmp.Png("parts/dent/d1.png");
        return tmp;
    }

    [Fact]
    public void OneClassLayoutWithOptionalMasks()
    {
        using var tmp = OneClass();
        var dataset = FolderDataset.Load(tmp.PathOf("parts"));

        Assert.Equal(["parts"], dataset.ClassNames);
        Assert.Empty(dataset.Train["parts"]);
        var test = dataset.Test["parts"];
        Assert.Equal(["good/a.jpg.png", "good/b.png", "dent/d1.png", "scratch/s1.png", "scratch/s2.png"], test.Select(s => s.RelativeImagePath));
        Assert.Equal([false, false, true, true, true], test.Select(s => s.IsAnomaly));
        Assert.Equal(["good", "good", "dent", "scratch", "scratch"], test.Select(s => s.DefectType));
        Assert.Equal([null, null, null, "ground_truth/scratch/s1_mask.png", "ground_truth/scratch/s2.png"], test.Select(s => s.RelativeMaskPath));
        Assert.Equal(tmp.PathOf("parts/ground_truth/scratch/s1_mask.png"), test[3].MaskPath);
        Assert.Null(test[2].MaskPath);
        dataset.Validate();

        Assert.Equal(["bolt"], FolderDataset.Load(tmp.PathOf("parts"), new FolderDatasetOptions { ClassName = "bolt" }).ClassNames);
    }

    [Fact]
    public void SeveralClassLayout()
    {
        using var tmp = new TempDatasetDir();
        tmp.Png("z_cls/good/0.png");
        tmp.Png("a_cls/good/0.png");
        tmp.Png("a_cls/crack/0.png");
        tmp.Mask("a_cls/ground_truth/crack/0_mask.png");
        Directory.CreateDirectory(tmp.PathOf("notes"));
        var dataset = FolderDataset.Load(tmp.Root);

        Assert.Equal(["a_cls", "z_cls"], dataset.ClassNames);
        Assert.Equal(["a_cls/good/0.png", "a_cls/crack/0.png"], dataset.Test["a_cls"].Select(s => s.RelativeImagePath));
        Assert.Equal("a_cls/ground_truth/crack/0_mask.png", dataset.Test["a_cls"][1].RelativeMaskPath);
        Assert.Equal("a_cls", dataset.Test["a_cls"][1].ClassName);
        Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.Root, new FolderDatasetOptions { ClassName = "x" }));
    }

    [Fact]
    public void NoGoodFolderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.Png("crack/0.png");
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.Root));
        Assert.Equal(tmp.Root, e.FilePath);
        Assert.Contains("no good/ folder", e.Message);
    }

    [Fact]
    public void MissingMaskInMaskFolderIsReported()
    {
        using var tmp = OneClass();
        File.Delete(tmp.PathOf("parts/ground_truth/scratch/s2.png"));
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("parts")));
        Assert.Equal(tmp.PathOf("parts/scratch/s2.png"), e.FilePath);
        Assert.Contains("anomalous image has no mask", e.Message);
    }

    [Fact]
    public void ExtraMaskIsReported()
    {
        using var tmp = OneClass();
        tmp.Mask("parts/ground_truth/scratch/s9_mask.png");
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("parts")));
        Assert.Equal(tmp.PathOf("parts/ground_truth/scratch/s9_mask.png"), e.FilePath);
        Assert.Contains("mask has no image", e.Message);
    }

    [Theory]
    [InlineData("good", "normal images have no masks")]
    [InlineData("hole", "masks without images")]
    public void MaskFolderWithoutAnomaliesIsReported(string folder, string message)
    {
        using var tmp = OneClass();
        tmp.Mask($"parts/ground_truth/{folder}/b_mask.png");
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("parts")));
        Assert.Equal(tmp.PathOf($"parts/ground_truth/{folder}"), e.FilePath);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void EmptyFolderIsReported()
    {
        using var tmp = OneClass();
        Directory.CreateDirectory(tmp.PathOf("parts/bent"));
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("parts")));
        Assert.Equal(tmp.PathOf("parts/bent"), e.FilePath);
        Assert.Contains("holds no images", e.Message);
    }

    [Fact]
    public void MvtecLayoutIsRejected()
    {
        using var tmp = OneClass();
        tmp.Png("parts/train/good/0.png");
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("parts")));
        Assert.Equal(tmp.PathOf("parts/train"), e.FilePath);
        Assert.Contains("MvtecDataset", e.Message);
    }

    [Fact]
    public void MissingRootIsReported()
    {
        using var tmp = new TempDatasetDir();
        var e = Assert.Throws<DatasetException>(() => FolderDataset.Load(tmp.PathOf("absent")));
        Assert.Equal(tmp.PathOf("absent"), e.FilePath);
    }
}
