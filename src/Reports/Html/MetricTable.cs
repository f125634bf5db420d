using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Reports.Html;

/// <summary>The metric table: one row per class and the mean, every figure ×100 with one decimal, NaN as "–".</summary>
internal static class MetricTable
{
    /// <summary>The figure columns, in table order.</summary>
    public static readonly (string Group, string Name, Func<ClassMetrics, double> Value)[] Columns =
    [
        ("Image", "AUROC", m => m.ImageAuroc),
        ("Image", "AP", m => m.ImageAp),
        ("Image", "F1-max", m => m.ImageF1Max),
        ("Pixel", "AUROC", m => m.PixelAuroc),
        ("Pixel", "AP", m => m.PixelAp),
        ("Pixel", "F1-max", m => m.PixelF1Max),
        ("AUPRO", "paper", m => m.Aupro),
        ("AUPRO", "@0.3 std", m => m.AuproStandard),
    ];

    /// <summary>Writes the table; class names link to their sections (<c>#class-i</c>).</summary>
    public static void Write(TextWriter w, ReportInput input)
    {
        w.Write("<div class=\"table-wrap\"><table class=\"metrics\">\n<thead><tr><th rowspan=\"2\" class=\"name\">Class</th><th rowspan=\"2\">Images</th>");
        foreach (var group in Columns.GroupBy(c => c.Group))
            w.Write($"<th colspan=\"{group.Count()}\" class=\"group\">{Html.Escape(group.Key)}</th>");
        w.Write("</tr>\n<tr>");
        foreach (var c in Columns) w.Write($"<th>{Html.Escape(c.Name)}</th>");
        w.Write("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < input.Classes.Count; i++)
        {
            var cls = input.Classes[i];
            Row(w, $"<a href=\"#class-{i}\">{Html.Escape(cls.Name)}</a>", Counts(cls.Images), cls.Metrics, "");
        }
        w.Write("</tbody>\n<tfoot>\n");
        Row(w, "mean", Counts(input.Classes.SelectMany(c => c.Images).ToList()), input.Mean, " class=\"mean\"");
        w.Write("</tfoot></table></div>\n");
        w.Write("<p class=\"hint\">×100, one decimal. Image metrics rank one score per image, pixel metrics pool every pixel of the class. " +
                "AUPRO (paper) is APRIL-GAN's: 200 thresholds, FPR &lt; 0.3 normalised to [0, 1]; AUPRO @0.3 std is the MVTec AD / anomalib one. " +
                "– marks a metric the data leaves undefined (for example AUROC with one label value).</p>\n");
    }

    private static string Counts(IReadOnlyList<ReportImage> images)
    {
        int anomalous = images.Count(i => i.IsAnomalous);
        return $"{images.Count} <span class=\"sub\">({anomalous} anom.)</span>";
    }

    private static void Row(TextWriter w, string nameHtml, string countsHtml, ClassMetrics m, string rowAttributes)
    {
        w.Write($"<tr{rowAttributes}><th scope=\"row\" class=\"name\">{nameHtml}</th><td class=\"count\">{countsHtml}</td>");
        foreach (var c in Columns) Cell(w, c.Value(m));
        w.Write("</tr>\n");
    }

    // The background runs from red (≤ 50) through yellow to green (100), so weak classes stand out at a glance.
    private static void Cell(TextWriter w, double value)
    {
        if (!double.IsFinite(value))
        {
            w.Write($"<td class=\"na\">{Formatting.Missing}</td>");
            return;
        }
        double t = Math.Clamp((value - 0.5) / 0.5, 0, 1);
        int hue = (int)Math.Round(t * 120);
        w.Write($"<td style=\"background:hsl({hue} 75% 90%)\">{Formatting.Percent(value)}</td>");
    }
}
