namespace AnomalyClip.Training.Datasets;

/// <summary>
/// The paper's cross-dataset training protocol (spec §7): the adapters are trained on the <b>test</b> split (with
/// masks and anomalies) of one dataset and evaluated on the other. "Train on MVTec" (3 epochs, mosaic p = 0.2) gives
/// the weights evaluated on VisA; "train on VisA" (15 epochs, no mosaic) gives the weights evaluated on MVTec.
/// </summary>
public static class PaperProtocol
{
    /// <summary>Number of MVTec AD test images (the MVTec training set of the protocol).</summary>
    public const int MvtecTestImageCount = 1725;

    /// <summary>Number of VisA test images in <c>split_csv/1cls.csv</c> (the VisA training set of the protocol).</summary>
    public const int VisaTestImageCount = 2162;

    /// <summary>Training on MVTec: its test split, all classes, 3 epochs, mosaic with p = 0.2.</summary>
    /// <exception cref="DatasetException">An anomalous sample has no pixel mask (training needs masks).</exception>
    public static PaperTrainingSet TrainOnMvtec(AnomalyDataset mvtec) =>
        Create(mvtec, "mvtec", "visa", epochs: 3, MosaicAugmentation.PaperProbability);

    /// <summary>Training on VisA: its test split, all classes, 15 epochs, no mosaic.</summary>
    /// <exception cref="DatasetException">An anomalous sample has no pixel mask (training needs masks).</exception>
    public static PaperTrainingSet TrainOnVisa(AnomalyDataset visa) =>
        Create(visa, "visa", "mvtec", epochs: 15, mosaicProbability: 0);

    private static PaperTrainingSet Create(AnomalyDataset source, string sourceName, string evaluateOn, int epochs, double mosaicProbability)
    {
        var unmasked = source.Test.Values.SelectMany(s => s).FirstOrDefault(s => s.IsAnomaly && s.MaskPath is null);
        if (unmasked is not null)
            throw new DatasetException(unmasked.ImagePath, "anomalous training image has no pixel mask; the focal and dice losses need one");
        return new PaperTrainingSet(sourceName, evaluateOn, source.ClassNames, source.Test,
            source.ClassNames.SelectMany(c => source.Test[c]).ToList(), epochs, mosaicProbability);
    }
}
