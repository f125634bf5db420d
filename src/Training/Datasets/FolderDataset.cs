namespace AnomalyClip.Training.Datasets;

/// <summary>
/// Reads a user's own images from plain folders, for evaluation. One class:
/// <code>
/// {root}/good/*                          normal images
/// {root}/{defect}/*                      anomalous images, one folder per defect type (any name but good, ground_truth)
/// {root}/ground_truth/{defect}/{stem}_mask.png  optional masks ({stem}.png also accepted, any image format)
/// </code>
/// The class is named after the root folder unless <see cref="FolderDatasetOptions.ClassName"/> says otherwise.
/// Several classes: when <c>{root}/good</c> does not exist, every sub-folder holding a <c>good</c> folder is a class laid
/// out as above (<c>{root}/{cls}/good</c>, <c>{root}/{cls}/{defect}</c>, <c>{root}/{cls}/ground_truth/{defect}</c>), in
/// ordinal order of the names.
/// <para>
/// Masks are optional per defect folder: if <c>ground_truth/{defect}</c> exists, every image of that defect needs its
/// mask (paired by name) and every mask an image; if it does not, the defect's images carry only the image-level label
/// (<see cref="AnomalySample.MaskPath"/> is <see langword="null"/>). All images go to the test split; the train split is
/// empty. Defect folders are read <c>good</c> first, then by ordinal name; image names in ordinal order. Folders named
/// <c>train</c> or <c>test</c> are rejected: that is the MVTec layout, read by <see cref="MvtecDataset"/>.
/// </para>
/// </summary>
public static class FolderDataset
{
    private const string GroundTruth = "ground_truth";

    /// <summary>
    /// Lists the images under <paramref name="root"/>. Checks the layout but reads no image; call
    /// <see cref="AnomalyDataset.Validate"/> to check image headers and mask sizes.
    /// </summary>
    /// <exception cref="DatasetException">The root is missing, no <c>good</c> folder is found, a folder is empty, an
    /// image lacks its mask in a mask folder, a mask has no image, or the layout is MVTec's.</exception>
    public static AnomalyDataset Load(string root, FolderDatasetOptions? options = null)
    {
        root = DatasetFiles.RequireRoot(root);
        options ??= new FolderDatasetOptions();
        List<(string Name, string Dir, string RelPrefix)> classes;
        if (Directory.Exists(Path.Combine(root, DatasetFiles.Good)))
        {
            var name = options.ClassName ?? Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            classes = [(name, root, "")];
        }
        else
        {
            if (options.ClassName is not null)
                throw new DatasetException(root, $"{nameof(FolderDatasetOptions.ClassName)} applies to the one-class layout, but there is no good/ folder here");
            classes = DatasetFiles.SortedFolderNames(root)
                .Where(c => Directory.Exists(Path.Combine(root, c, DatasetFiles.Good)))
                .Select(c => (c, Path.Combine(root, c), c + "/")).ToList();
            if (classes.Count == 0)
                throw new DatasetException(root, "no good/ folder: expected {root}/good/* (one class) or {root}/{class}/good/* (several classes)");
        }
        var test = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        var train = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        foreach (var (name, dir, prefix) in classes)
        {
            test[name] = ReadClass(root, name, dir, prefix);
            train[name] = [];
        }
        return new AnomalyDataset(root, classes.Select(c => c.Name).ToList(), train, test);
    }

    private static List<AnomalySample> ReadClass(string root, string cls, string clsDir, string relPrefix)
    {
        var samples = new List<AnomalySample>();
        var defects = DatasetFiles.DefectFolderOrder(clsDir);
        foreach (var reserved in new[] { "train", "test" })
            if (defects.Contains(reserved))
                throw new DatasetException(Path.Combine(clsDir, reserved), "a train/ or test/ folder means the MVTec layout; read it with MvtecDataset");
        defects.Remove(GroundTruth);
        var gtDir = Path.Combine(clsDir, GroundTruth);
        if (Directory.Exists(gtDir))
            foreach (var maskFolder in DatasetFiles.SortedFolderNames(gtDir))
                if (maskFolder == DatasetFiles.Good || !defects.Contains(maskFolder))
                    throw new DatasetException(Path.Combine(gtDir, maskFolder),
                        maskFolder == DatasetFiles.Good ? "normal images have no masks" : $"masks without images: there is no {maskFolder}/ folder");
        foreach (var defect in defects)
        {
            var defectDir = Path.Combine(clsDir, defect);
            var images = DatasetFiles.SortedImageNames(defectDir);
            if (images.Count == 0) throw new DatasetException(defectDir, "folder holds no images");
            var anomalous = defect != DatasetFiles.Good;
            var maskDir = Path.Combine(gtDir, defect);
            var masks = anomalous && Directory.Exists(maskDir) ? MaskPairing.ByName(defectDir, images, maskDir) : null;
            for (var j = 0; j < images.Count; j++)
            {
                var rel = relPrefix + DatasetFiles.Relative(defect, images[j]);
                var relMask = masks is null ? null : relPrefix + DatasetFiles.Relative(GroundTruth, defect, masks[j]);
                samples.Add(new AnomalySample(DatasetFiles.Absolute(root, rel),
                    relMask is null ? null : DatasetFiles.Absolute(root, relMask), cls, defect, anomalous, rel, relMask));
            }
        }
        return samples;
    }
}
