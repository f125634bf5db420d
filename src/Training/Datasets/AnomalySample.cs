namespace AnomalyClip.Training.Datasets;

/// <summary>
/// One image of an anomaly dataset: where it is, its class, its defect type and, for anomalous images, where its
/// pixel mask is. Only paths are held; nothing is decoded.
/// </summary>
/// <param name="ImagePath">Absolute path of the image file.</param>
/// <param name="MaskPath">
/// Absolute path of the ground-truth mask (non-zero pixels are defective), or <see langword="null"/> when there is
/// none: always for normal images, and for anomalous images that carry only an image-level label
/// (<see cref="FolderDataset"/> without masks).
/// </param>
/// <param name="ClassName">The object class, e.g. <c>bottle</c>; used verbatim in the text prompts.</param>
/// <param name="DefectType">
/// The defect folder (meta.json <c>specie_name</c>): <c>good</c> for normal MVTec images, e.g. <c>broken_large</c> for
/// anomalous ones; empty for VisA, whose CSV has no defect types.
/// </param>
/// <param name="IsAnomaly">Whether the image shows a defect (meta.json <c>anomaly</c> = 1).</param>
/// <param name="RelativeImagePath">The image path relative to the dataset root, with <c>/</c> separators (meta.json <c>img_path</c>).</param>
/// <param name="RelativeMaskPath">
/// The mask path relative to the dataset root, with <c>/</c> separators (meta.json <c>mask_path</c>), or
/// <see langword="null"/> when <paramref name="MaskPath"/> is.
/// </param>
public sealed record AnomalySample(
    string ImagePath,
    string? MaskPath,
    string ClassName,
    string DefectType,
    bool IsAnomaly,
    string RelativeImagePath,
    string? RelativeMaskPath);
