using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class PaperProtocolTests
{
    [Fact]
    public void TrainOnMvtecUsesTestSplitThreeEpochsAndMosaic()
    {
        var mvtec = MetaJsonDataset.Load(Golden.PathOf("dataset_test"));
        var set = PaperProtocol.TrainOnMvtec(mvtec);

        Assert.Equal(("mvtec", "visa", 3, 0.2), (set.SourceName, set.EvaluationName, set.Epochs, set.MosaicProbability));
        Assert.Equal(["bottle", "screw"], set.ClassNames);
        Assert.Equal(8, set.Samples.Count);
        Assert.Equal(mvtec.Test["bottle"].Concat(mvtec.Test["screw"]), set.Samples);
        Assert.DoesNotContain(set.Samples, s => s.RelativeImagePath.Contains("/train/"));
        Assert.Same(mvtec.Test, set.SamplesByClass);
    }

    [Fact]
    public void TrainOnVisaUsesFifteenEpochsWithoutMosaic()
    {
        var set = PaperProtocol.TrainOnVisa(MetaJsonDataset.Load(Golden.PathOf("dataset_train")));
        Assert.Equal(("visa", "mvtec", 15, 0.0), (set.SourceName, set.EvaluationName, set.Epochs, set.MosaicProbability));
        Assert.Equal(4, set.Samples.Count);
        Assert.Equal((8, 1e-3, 0.5, 0.999, 111), (PaperTrainingSet.BatchSize, PaperTrainingSet.LearningRate,
            PaperTrainingSet.Beta1, PaperTrainingSet.Beta2, PaperTrainingSet.Seed));
        Assert.Equal((1725, 2162), (PaperProtocol.MvtecTestImageCount, PaperProtocol.VisaTestImageCount));
    }

    [Fact]
    public void AnomalyWithoutMaskCannotBeTrainedOn()
    {
        using var tmp = new TempDatasetDir();
        tmp.Png("good/0.png");
        var image = tmp.Png("dent/0.png");
        var e = Assert.Throws<DatasetException>(() => PaperProtocol.TrainOnMvtec(FolderDataset.Load(tmp.Root)));
        Assert.Equal(image, e.FilePath);
        Assert.Contains("no pixel mask", e.Message);
    }
}
