namespace AnomalyClip.Training.Datasets;

/// <summary>Reads a dataset through its APRIL-GAN index <c>{root}/meta.json</c> (format: <see cref="MetaJson"/>).</summary>
public static class MetaJsonDataset
{
    /// <summary>
    /// Reads <c>{root}/{fileName}</c>. Checks the JSON and that every referenced file exists, but reads no image; call
    /// <see cref="AnomalyDataset.Validate"/> to check image headers and mask sizes.
    /// </summary>
    /// <exception cref="DatasetException">The root or file is missing, or the file is malformed (see <see cref="MetaJson.Read"/>).</exception>
    public static AnomalyDataset Load(string root, string fileName = MetaJson.FileName) =>
        MetaJson.Read(Path.Combine(DatasetFiles.RequireRoot(root), fileName));
}
