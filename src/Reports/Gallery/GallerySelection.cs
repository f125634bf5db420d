namespace AnomalyClip.Reports.Gallery;

/// <summary>
/// Picks a class's worst and best images. Worst: the largest <see cref="GalleryEntry.Badness"/> first (the highest
/// scoring normal images and the lowest scoring anomalous ones, whichever outrank more of the other label), then,
/// among correctly ranked images, the ones closest to the other label's scores. Best: the reverse, the most
/// confident correct ones first. No image appears in both.
/// </summary>
internal static class GallerySelection
{
    /// <summary>Selects up to <paramref name="worst"/> and <paramref name="best"/> images.</summary>
    public static (IReadOnlyList<GalleryEntry> Worst, IReadOnlyList<GalleryEntry> Best) Select(
        IReadOnlyList<ReportImage> images, int worst, int best)
    {
        var normal = images.Where(i => !i.IsAnomalous).Select(i => i.Score).Order().ToArray();
        var anomalous = images.Where(i => i.IsAnomalous).Select(i => i.Score).Order().ToArray();
        double min = images.Count == 0 ? 0 : images.Min(i => i.Score);
        double max = images.Count == 0 ? 0 : images.Max(i => i.Score);
        double range = max > min ? max - min : 1;
        bool bothLabels = normal.Length > 0 && anomalous.Length > 0;

        var rated = images.Select((image, index) =>
        {
            var (badness, outranked, opposite, gap) = Rate(image, normal, anomalous, bothLabels, min, max);
            return (Entry: new GalleryEntry(image, badness, outranked, opposite), Gap: gap / range, Index: index);
        }).ToList();

        var worstPicked = rated
            .OrderByDescending(r => r.Entry.Badness).ThenBy(r => r.Gap).ThenBy(r => r.Index)
            .Take(worst).ToList();
        var taken = worstPicked.Select(r => r.Index).ToHashSet();
        var bestPicked = rated.Where(r => !taken.Contains(r.Index))
            .OrderBy(r => r.Entry.Badness).ThenByDescending(r => r.Gap).ThenBy(r => r.Index)
            .Take(best).ToList();
        return (worstPicked.Select(r => r.Entry).ToList(), bestPicked.Select(r => r.Entry).ToList());
    }

    // gap: how far the image's score is from the other label's side (≥ 0 while ranked correctly, smaller = closer
    // to a mistake); with one label value, the distance from the score extreme of the wrong direction.
    private static (double Badness, int Outranked, int Opposite, double Gap) Rate(
        ReportImage image, double[] normal, double[] anomalous, bool bothLabels, double min, double max)
    {
        double s = image.Score;
        if (!bothLabels)
            return (0, 0, 0, image.IsAnomalous ? s - min : max - s);
        if (image.IsAnomalous)
        {
            int below = LowerBound(normal, s), notAbove = UpperBound(normal, s);
            int higher = normal.Length - notAbove, tied = notAbove - below;
            return ((higher + 0.5 * tied) / normal.Length, higher + tied, normal.Length, s - normal[^1]);
        }
        else
        {
            int below = LowerBound(anomalous, s), notAbove = UpperBound(anomalous, s);
            int tied = notAbove - below;
            return ((below + 0.5 * tied) / anomalous.Length, notAbove, anomalous.Length, anomalous[0] - s);
        }
    }

    // First index whose value is ≥ s.
    private static int LowerBound(double[] sorted, double s)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < s) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // First index whose value is > s.
    private static int UpperBound(double[] sorted, double s)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= s) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
