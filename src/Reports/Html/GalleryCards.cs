using AnomalyClip.Reports.Gallery;

namespace AnomalyClip.Reports.Html;

/// <summary>A class's worst and best galleries: one card per image with its thumbnail, file name, label and score.</summary>
internal static class GalleryCards
{
    /// <summary>Writes the "worst" and "best" galleries of a class (each only when its size option is above 0).</summary>
    public static void Write(TextWriter w, IReadOnlyList<ReportImage> images, ReportOptions options)
    {
        var (worst, best) = GallerySelection.Select(images, options.WorstPerClass, options.BestPerClass);
        if (options.WorstPerClass > 0)
        {
            w.Write("<h3>Worst <span class=\"sub\">mistakes first: normal images scoring high, anomalous images scoring low</span></h3>\n");
            GalleryGrid(w, worst, options);
        }
        if (options.BestPerClass > 0)
        {
            w.Write("<h3>Best <span class=\"sub\">the most confident correct ones</span></h3>\n");
            GalleryGrid(w, best, options);
        }
    }

    private static void GalleryGrid(TextWriter w, IReadOnlyList<GalleryEntry> entries, ReportOptions options)
    {
        if (entries.Count == 0)
        {
            w.Write("<p class=\"note\">No further images.</p>\n");
            return;
        }
        w.Write("<div class=\"gallery\">\n");
        foreach (var e in entries) Card(w, e, options);
        w.Write("</div>\n");
    }

    private static void Card(TextWriter w, GalleryEntry e, ReportOptions options)
    {
        var image = e.Image;
        var thumb = Thumbnails.Load(image.OverlayPath, options.ThumbnailMaxSide, options.ThumbnailQuality);
        string label = image.IsAnomalous ? "anomalous" : "normal";
        w.Write($"<figure class=\"card{(e.IsMistake ? " mistake" : "")}\"><span class=\"label {label}\">{label}</span>");
        if (thumb.DataUri is not null)
            w.Write($"<img src=\"{thumb.DataUri}\" width=\"{thumb.Width}\" height=\"{thumb.Height}\" alt=\"{Html.Escape(image.File)}\">");
        else
            w.Write($"<div class=\"noimg\">{Html.Escape(thumb.Problem)}</div>");
        w.Write("<figcaption>");
        var (folder, name) = SplitPath(image.File);
        w.Write($"<div class=\"file\" title=\"{Html.Escape(image.File)}\">{Html.Escape(name)}</div>");
        if (folder.Length > 0) w.Write($"<div class=\"folder\" title=\"{Html.Escape(image.File)}\"><bdi dir=\"ltr\">{Html.Escape(folder)}</bdi></div>");
        w.Write($"<div class=\"score\"><span class=\"k\">score</span> {Formatting.Score(image.Score)}</div>");
        if (e.IsMistake)
        {
            string what = image.IsAnomalous
                ? $"scores ≤ {e.Outranked} of {e.Opposite} normal"
                : $"scores ≥ {e.Outranked} of {e.Opposite} anomalous";
            w.Write($"<div class=\"why\">{what}</div>");
        }
        w.Write("</figcaption></figure>\n");
    }

    // "a/b/c.png" → ("a/b", "c.png"), so the card can show the file name whole and shorten the folder.
    private static (string Folder, string Name) SplitPath(string file)
    {
        int cut = file.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? ("", file) : (file[..cut], file[(cut + 1)..]);
    }
}
