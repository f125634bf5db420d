using System.Globalization;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;

namespace AnomalyClip.Inference.Thresholds;

/// <summary>
/// Chooses the thresholds of ONE detector for ONE class (<see cref="DetectorThresholds"/>, what <c>predict
/// --thresholds</c> applies): F1-optimal on labelled images, or a quantile of normal images only. The image score is
/// the detector's own per-image <see cref="AnomalyResult.Score"/> (a transductive score depends on the set scored
/// together, so no fixed threshold fits it); pixels are the detector's S×S map against masks brought to S×S with
/// APRIL-GAN's mask transform.
/// </summary>
/// <remarks>
/// A calibration image that is also one of the detector's few-shot references for the class is left out (its bank
/// distance to itself is zero) and counted as <c>excluded_references</c>. The details record what was measured; the
/// detector's <see cref="AnomalyDetector.Settings"/> are included so the file says what it was calibrated for.
/// </remarks>
public static class DetectorCalibration
{
    /// <summary>
    /// F1-optimal image threshold (<see cref="ThresholdCalibration.F1Optimal"/>) and, when every anomalous image has a
    /// mask, F1-optimal pixel threshold (<see cref="ThresholdCalibration.F1OptimalPixels"/>) over labelled images of
    /// <paramref name="className"/>. Every image and mask must decode.
    /// </summary>
    /// <exception cref="ArgumentException">No images left, or not both labels among them.</exception>
    /// <exception cref="ImageLoadException">An image or mask cannot be decoded.</exception>
    public static DetectorThresholds Labelled(AnomalyDetector detector, IReadOnlyList<LabelledImage> images, string? className,
        IProgress<FileProgress>? progress = null)
    {
        var references = ReferencesOf(detector, className);
        var kept = images.Where(s => !references.Contains(Path.GetFullPath(s.ImagePath))).ToArray();
        int excluded = images.Count - kept.Length;
        if (kept.Length == 0) throw new ArgumentException($"class '{Key(className)}' has no images to calibrate on{Excluded(excluded)}");
        int anomalous = kept.Count(s => s.IsAnomalous);
        if (anomalous == 0 || anomalous == kept.Length)
            throw new ArgumentException($"class '{Key(className)}' has {anomalous} anomalous of {kept.Length} images{Excluded(excluded)}: " +
                "F1-optimal calibration needs normal and anomalous images (calibrate from normal images only instead)");

        var results = detector.PredictFiles(kept.Select(s => s.ImagePath).ToArray(), className, progress: progress).Select(p => p.Result).ToArray();
        var details = Details(detector, className);
        details["images"] = Text(kept.Length);
        details["anomalous"] = Text(anomalous);
        details["excluded_references"] = Text(excluded);
        var image = ThresholdCalibration.F1Optimal(results.Select(r => r.Score).ToArray(), kept.Select(s => s.IsAnomalous).ToArray());
        Record(details, "image", image);

        double? pixel = null;
        int unmasked = kept.Count(s => s.IsAnomalous && s.MaskPath is null);
        if (unmasked > 0) details["pixel_note"] = $"not calibrated: {unmasked} anomalous image(s) have no mask";
        else
        {
            var masks = Masks(detector, kept);
            if (masks.All(m => !m.Contains((byte)1)))
                details["pixel_note"] = $"not calibrated: no defect pixel is left once the masks are resized to {detector.MapSize} px";
            else
            {
                var best = ThresholdCalibration.F1OptimalPixels(results.Select(r => r.Map).ToArray(), masks);
                Record(details, "pixel", best);
                pixel = best.Threshold;
            }
        }
        return new DetectorThresholds { Image = image.Threshold, Pixel = pixel, Method = "f1-optimal", Details = details };
    }

    /// <summary>
    /// Thresholds at the <paramref name="quantile"/> of the scores (<see cref="ThresholdCalibration.FromNormals"/>) and
    /// of the map pixels (<see cref="ThresholdCalibration.FromNormalPixels"/>) of normal images only. An unreadable file
    /// goes to <paramref name="onUnreadable"/> and is left out (counted as <c>skipped_images</c>); without the callback it
    /// is fatal.
    /// </summary>
    /// <exception cref="ArgumentException">The quantile is outside [0, 1], or no image is left or readable.</exception>
    public static DetectorThresholds FromNormals(AnomalyDetector detector, IReadOnlyList<string> normalImages, string? className, double quantile = 0.99,
        Action<ImageLoadException>? onUnreadable = null, IProgress<FileProgress>? progress = null)
    {
        if (!(quantile >= 0 && quantile <= 1)) throw new ArgumentException($"the quantile must be in [0, 1], got {quantile}");
        var references = ReferencesOf(detector, className);
        var kept = normalImages.Where(f => !references.Contains(Path.GetFullPath(f))).ToArray();
        int excluded = normalImages.Count - kept.Length;
        if (kept.Length == 0) throw new ArgumentException($"no normal image left to calibrate on{Excluded(excluded)}; pass normals that are not references");
        int skipped = 0;
        Action<ImageLoadException>? skip = onUnreadable is null ? null : e => { skipped++; onUnreadable(e); };
        var results = detector.PredictFiles(kept, className, skip, progress).Select(p => p.Result).ToArray();
        if (results.Length == 0) throw new ArgumentException($"none of the {kept.Length} normal image(s) could be read");
        var q = Text(quantile);
        var details = Details(detector, className);
        details["quantile"] = q;
        details["images"] = Text(results.Length);
        details["skipped_images"] = Text(skipped);
        details["excluded_references"] = Text(excluded);
        return new DetectorThresholds
        {
            Image = ThresholdCalibration.FromNormals(results.Select(r => r.Score).ToArray(), quantile),
            Pixel = ThresholdCalibration.FromNormalPixels(results.Select(r => r.Map).ToArray(), quantile),
            Method = "normal-quantile-" + q,
            Details = details,
        };
    }

    private static HashSet<string> ReferencesOf(AnomalyDetector detector, string? className) =>
        detector is MemoryBankDetector few && few.Banks.TryGetValue(Key(className), out var bank)
            ? bank.References.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal)
            : [];

    private static Dictionary<string, string> Details(AnomalyDetector detector, string? className)
    {
        var details = new Dictionary<string, string>
        {
            ["class"] = Key(className),
            ["mode"] = detector is MemoryBankDetector ? "few-shot" : "zero-shot",
            ["image_score"] = detector.ScoreDescription,
            ["map"] = detector.MapDescription,
        };
        foreach (var (key, value) in detector.Settings) details.TryAdd(key, value);
        if (detector is MemoryBankDetector few && few.Banks.TryGetValue(Key(className), out var bank))
            details["references"] = string.Join('\n', bank.References.Select(Path.GetFullPath));
        return details;
    }

    // APRIL-GAN's S×S 0/1 masks (all zeros for normal images), as the metrics use them.
    private static byte[][] Masks(AnomalyDetector detector, IReadOnlyList<LabelledImage> images)
    {
        int size = detector.MapSize;
        var preprocessor = new MaskPreprocessor(size, detector.Decoder);
        return images.Select(s => s.IsAnomalous ? preprocessor.ToPixels(detector.Decoder.Decode(s.MaskPath!)) : new byte[size * size]).ToArray();
    }

    private static void Record(Dictionary<string, string> details, string kind, F1Threshold best)
    {
        details[kind + "_f1"] = Text(best.F1);
        details[kind + "_precision"] = Text(best.Precision);
        details[kind + "_recall"] = Text(best.Recall);
    }

    private static string Key(string? className) => className ?? Adapter.Prompts.ClassNames.DefaultObject;

    private static string Excluded(int count) => count > 0 ? $" once {count} few-shot reference(s) are left out" : "";

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
