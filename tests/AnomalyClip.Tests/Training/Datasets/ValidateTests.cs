using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class ValidateTests
{
    private static AnomalyDataset LoadCopy(TempDatasetDir tmp) =>
        MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true });

    [Fact]
    public void MaskOfOtherSizeIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(Golden.PathOf("dataset_test"));
        var mask = tmp.PathOf("screw/ground_truth/defect/001_mask.png");
        File.Delete(mask);
        tmp.Mask("screw/ground_truth/defect/001_mask.png", 5, 4);
        var dataset = LoadCopy(tmp);

        var e = Assert.Throws<DatasetException>(dataset.Validate);
        Assert.Equal(mask, e.FilePath);
        Assert.Matches(@"mask is 5x4 but its image .*001\.png is \d+x\d+", e.Message);
    }

    [Fact]
    public void UnreadableImageIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(Golden.PathOf("dataset_test"));
        var image = tmp.PathOf("bottle/train/good/001.png");
        File.WriteAllBytes(image, [1, 2, 3, 4, 5, 6, 7, 8]);
        var dataset = LoadCopy(tmp);

        var e = Assert.Throws<DatasetException>(dataset.Validate);
        Assert.Equal(image, e.FilePath);
        Assert.Contains("unreadable image", e.Message);
    }

    [Fact]
    public void TruncatedPngHeaderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(Golden.PathOf("dataset_test"));
        var mask = tmp.PathOf("bottle/ground_truth/defect/000_mask.png");
        File.WriteAllBytes(mask, File.ReadAllBytes(mask)[..20]);
        var dataset = LoadCopy(tmp);

        var e = Assert.Throws<DatasetException>(dataset.Validate);
        Assert.Equal(mask, e.FilePath);
    }

    [Fact]
    public void FirstProblemInDatasetOrderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(Golden.PathOf("dataset_test"));
        File.WriteAllText(tmp.PathOf("screw/test/good/000.png"), "not a png");
        File.WriteAllText(tmp.PathOf("bottle/test/good/001.png"), "not a png");
        var dataset = LoadCopy(tmp);

        var e = Assert.Throws<DatasetException>(dataset.Validate);
        Assert.Equal(tmp.PathOf("bottle/test/good/001.png"), e.FilePath);
    }
}
