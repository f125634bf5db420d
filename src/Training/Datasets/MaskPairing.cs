namespace AnomalyClip.Training.Datasets;

/// <summary>Finds the ground-truth mask of each anomalous image in a defect folder.</summary>
internal static class MaskPairing
{
    /// <summary>
    /// The reference's pairing (APRIL-GAN <c>data/mvtec.py</c>): the j-th sorted image gets the j-th sorted mask
    /// file. On top of it, every pair must agree by name (<see cref="DatasetFiles.MaskBelongsTo"/>), so a folder where
    /// sorted order would pair the wrong files (<c>1.png</c>, <c>10.png</c> against <c>10_mask.png</c>, <c>1_mask.png</c>)
    /// is reported instead of silently mislabelled. Returns the mask file names, one per image.
    /// </summary>
    public static List<string> BySortedIndex(string imageDir, IReadOnlyList<string> imageNames, string maskDir)
    {
        var maskNames = RequireMaskNames(imageDir, maskDir);
        if (maskNames.Count != imageNames.Count) ThrowCountMismatch(imageDir, imageNames, maskDir, maskNames);
        for (var j = 0; j < imageNames.Count; j++)
            if (!DatasetFiles.MaskBelongsTo(maskNames[j], imageNames[j]))
                throw new DatasetException(Path.Combine(maskDir, maskNames[j]),
                    $"sorted-order pairing gives this mask to image {Path.Combine(imageDir, imageNames[j])}, but the names do not match " +
                    $"(expected '{Path.GetFileNameWithoutExtension(imageNames[j])}_mask' or the image's own name)");
        return maskNames;
    }

    /// <summary>
    /// Pairs by name: the mask of <c>x.jpg</c> is <c>x_mask.*</c> or <c>x.*</c> in <paramref name="maskDir"/>. Every image
    /// needs exactly one mask and every mask an image. Returns the mask file names, one per image.
    /// </summary>
    public static List<string> ByName(string imageDir, IReadOnlyList<string> imageNames, string maskDir)
    {
        var maskNames = RequireMaskNames(imageDir, maskDir);
        var byStem = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var mask in maskNames)
        {
            var stem = Path.GetFileNameWithoutExtension(mask);
            if (stem.EndsWith("_mask", StringComparison.Ordinal)) stem = stem[..^"_mask".Length];
            if (!byStem.TryGetValue(stem, out var list)) byStem[stem] = list = [];
            list.Add(mask);
        }
        var result = new List<string>(imageNames.Count);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in imageNames)
        {
            var stem = Path.GetFileNameWithoutExtension(image);
            if (!byStem.TryGetValue(stem, out var candidates))
                throw new DatasetException(Path.Combine(imageDir, image), $"anomalous image has no mask ({stem}_mask.png or {stem}.png) in {maskDir}");
            if (candidates.Count > 1)
                throw new DatasetException(Path.Combine(imageDir, image), $"several masks match this image in {maskDir}: {string.Join(", ", candidates)}");
            result.Add(candidates[0]);
            used.Add(candidates[0]);
        }
        foreach (var mask in maskNames)
            if (!used.Contains(mask))
                throw new DatasetException(Path.Combine(maskDir, mask), $"mask has no image in {imageDir}");
        return result;
    }

    private static List<string> RequireMaskNames(string imageDir, string maskDir)
    {
        if (!Directory.Exists(maskDir))
            throw new DatasetException(maskDir, $"mask folder not found; the anomalous images in {imageDir} need masks here");
        return DatasetFiles.SortedImageNames(maskDir);
    }

    /// <summary>Names the first image without a mask, or the first mask without an image, by the name rule.</summary>
    private static void ThrowCountMismatch(string imageDir, IReadOnlyList<string> imageNames, string maskDir, List<string> maskNames)
    {
        var counts = $"{imageNames.Count} images in {imageDir}, {maskNames.Count} masks";
        if (maskNames.Count < imageNames.Count)
        {
            var orphan = imageNames.FirstOrDefault(i => !maskNames.Any(m => DatasetFiles.MaskBelongsTo(m, i)));
            throw orphan is null
                ? new DatasetException(maskDir, $"missing masks: {counts}")
                : new DatasetException(Path.Combine(imageDir, orphan), $"anomalous image has no mask in {maskDir} ({counts})");
        }
        var extra = maskNames.FirstOrDefault(m => !imageNames.Any(i => DatasetFiles.MaskBelongsTo(m, i)));
        throw extra is null
            ? new DatasetException(maskDir, $"extra masks: {counts}")
            : new DatasetException(Path.Combine(maskDir, extra), $"mask has no image in {imageDir} ({counts})");
    }
}
