namespace AnomalyClip.Training.Datasets;

/// <summary>
/// Reads MVTec AD's native folder layout (and any dataset laid out the same way):
/// <code>
/// {root}/{cls}/train/good/*.png                 normal references
/// {root}/{cls}/test/{defect}/*.png              test images; defect "good" = normal
/// {root}/{cls}/ground_truth/{defect}/*_mask.png masks of the anomalous test images
/// </code>
/// The records equal those of APRIL-GAN's <c>data/mvtec.py</c> meta.json: image names sorted, and the j-th sorted
/// image of a defect folder paired with the j-th sorted mask of <c>ground_truth/{defect}</c>. Two deliberate
/// differences: defect folders are read <c>good</c> first, then by ordinal name (the reference uses file-system order
/// from <c>os.listdir</c>, which varies between machines), and a pairing whose names disagree is an error rather than a
/// silent mislabel. Hidden and non-image files are skipped. A missing <c>train</c> or <c>test</c> folder gives an empty
/// split; a class with no image at all is an error.
/// </summary>
public static class MvtecDataset
{
    /// <summary>The 15 MVTec AD classes in the reference's order (APRIL-GAN <c>CLSNAMES</c>).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut", "pill", "screw",
        "tile", "toothbrush", "transistor", "wood", "zipper",
    ];

    private static readonly string[] Phases = ["train", "test"];

    /// <summary>
    /// Lists the dataset at <paramref name="root"/>. Checks the layout (folders, image/mask pairing) but reads no image;
    /// call <see cref="AnomalyDataset.Validate"/> to check image headers and mask sizes.
    /// </summary>
    /// <exception cref="DatasetException">The root or a class folder is missing, a class or defect folder is empty, an
    /// anomalous image has no mask, a mask has no image, or a mask folder has no image folder.</exception>
    public static AnomalyDataset Load(string root, DatasetLoadOptions? options = null)
    {
        root = DatasetFiles.RequireRoot(root);
        var classes = (options ?? new DatasetLoadOptions()).Resolve(ClassNames, () => DiscoverClasses(root));
        var train = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        var test = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        foreach (var cls in classes)
        {
            var clsDir = Path.Combine(root, cls);
            if (!Directory.Exists(clsDir)) throw new DatasetException(clsDir, $"class folder '{cls}' not found");
            train[cls] = ReadPhase(root, cls, "train");
            test[cls] = ReadPhase(root, cls, "test");
            if (train[cls].Count + test[cls].Count == 0)
                throw new DatasetException(clsDir, "class has no images (expected train/good/*.png and test/{defect}/*.png)");
            CheckMaskFoldersHaveImages(clsDir);
        }
        return new AnomalyDataset(root, classes, train, test);
    }

    private static List<AnomalySample> ReadPhase(string root, string cls, string phase)
    {
        var samples = new List<AnomalySample>();
        var phaseDir = Path.Combine(root, cls, phase);
        if (!Directory.Exists(phaseDir)) return samples;
        foreach (var defect in DatasetFiles.DefectFolderOrder(phaseDir))
        {
            var defectDir = Path.Combine(phaseDir, defect);
            var images = DatasetFiles.SortedImageNames(defectDir);
            if (images.Count == 0) throw new DatasetException(defectDir, "defect folder holds no images");
            var anomalous = defect != DatasetFiles.Good;
            var masks = anomalous
                ? MaskPairing.BySortedIndex(defectDir, images, Path.Combine(root, cls, "ground_truth", defect))
                : null;
            for (var j = 0; j < images.Count; j++)
            {
                var rel = DatasetFiles.Relative(cls, phase, defect, images[j]);
                var relMask = masks is null ? null : DatasetFiles.Relative(cls, "ground_truth", defect, masks[j]);
                samples.Add(new AnomalySample(DatasetFiles.Absolute(root, rel),
                    relMask is null ? null : DatasetFiles.Absolute(root, relMask), cls, defect, anomalous, rel, relMask));
            }
        }
        return samples;
    }

    /// <summary>A <c>ground_truth/{defect}</c> folder without a <c>test/{defect}</c> or <c>train/{defect}</c> folder holds masks of no image.</summary>
    private static void CheckMaskFoldersHaveImages(string clsDir)
    {
        var gtDir = Path.Combine(clsDir, "ground_truth");
        if (!Directory.Exists(gtDir)) return;
        foreach (var defect in DatasetFiles.SortedFolderNames(gtDir))
            if (!Phases.Any(p => Directory.Exists(Path.Combine(clsDir, p, defect))))
                throw new DatasetException(Path.Combine(gtDir, defect), $"masks without images: there is no test/{defect} folder");
    }

    private static IReadOnlyList<string> DiscoverClasses(string root)
    {
        var found = DatasetFiles.SortedFolderNames(root)
            .Where(c => Phases.Any(p => Directory.Exists(Path.Combine(root, c, p)))).ToList();
        if (found.Count == 0) throw new DatasetException(root, "no class folders found (sub-folders holding train/ or test/)");
        return found;
    }
}
