using AnomalyClip.Inference.Metrics;
using AnomalyClip.Reports.Curves;
using AnomalyClip.Reports.Plots;

namespace AnomalyClip.Reports.Html;

/// <summary>One class's section: headline figures, image-level ROC and PR curves, worst and best galleries.</summary>
internal static class ClassSection
{
    /// <summary>Writes the section of class number <paramref name="index"/> (anchor <c>class-index</c>).</summary>
    public static void Write(TextWriter w, ReportClass cls, int index, ReportOptions options)
    {
        var images = cls.Images;
        int anomalous = images.Count(i => i.IsAnomalous);
        w.Write($"<section class=\"class\" id=\"class-{index}\">\n");
        w.Write($"<h2>{Html.Escape(cls.Name)} <span class=\"sub\">{images.Count} images · {anomalous} anomalous · {images.Count - anomalous} normal</span></h2>\n");
        Headline(w, cls.Metrics);
        Curves(w, images, anomalous);
        if (options.WorstPerClass > 0 || options.BestPerClass > 0) GalleryCards.Write(w, images, options);
        w.Write("</section>\n");
    }

    private static void Headline(TextWriter w, ClassMetrics m)
    {
        w.Write("<div class=\"chips\">");
        Chip(w, "image AUROC", m.ImageAuroc);
        Chip(w, "image AP", m.ImageAp);
        Chip(w, "pixel AUROC", m.PixelAuroc);
        Chip(w, "AUPRO", m.Aupro);
        w.Write("</div>\n");
    }

    private static void Chip(TextWriter w, string name, double value) =>
        w.Write($"<span class=\"chip\"><span class=\"k\">{name}</span> <b>{Formatting.Percent(value)}</b></span>");

    private static void Curves(TextWriter w, IReadOnlyList<ReportImage> images, int anomalous)
    {
        if (images.Count == 0)
        {
            w.Write("<p class=\"note\">This class has no images.</p>\n");
            return;
        }
        if (anomalous == 0 || anomalous == images.Count)
        {
            string which = anomalous == 0 ? "normal" : "anomalous";
            w.Write($"<p class=\"note\">All {images.Count} images are {which}: the image-level ROC and precision-recall curves need both labels, so they are not drawn.</p>\n");
            return;
        }
        var scores = images.Select(i => i.Score).ToArray();
        var labels = images.Select(i => i.IsAnomalous).ToArray();
        var ranking = RankingMetrics.Compute(scores, labels);
        var roc = RocCurve.Compute(scores, labels);
        var pr = PrecisionRecallCurve.Compute(scores, labels);
        int best = pr.F1MaxIndex();
        double positiveRate = (double)anomalous / images.Count;

        byte[] rocPng, prPng;
        try
        {
            rocPng = CurvePlots.Roc(roc);
            prPng = CurvePlots.PrecisionRecall(pr, positiveRate, best);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            // A platform without SkiaSharp's native library still gets the rest of the report.
            w.Write($"<p class=\"note\">The curves could not be drawn: the plotting library's native part (SkiaSharp) did not load ({Html.Escape(e.GetType().Name)}).</p>\n");
            return;
        }

        w.Write("<div class=\"curves\">\n");
        Figure(w, rocPng, "Image-level ROC curve",
            $"<b style=\"color:{CurvePlots.RocHex}\">ROC</b> · AUROC <b>{Formatting.Percent(ranking.Auroc)}</b> · dashed: chance");
        string f1 = best < 0 ? "" :
            $" · <span class=\"dot\" style=\"background:{CurvePlots.F1Hex}\"></span> F1-max <b>{Formatting.Percent(F1(pr, best))}</b> at score ≥ {Formatting.Score(pr.Thresholds[best])}";
        Figure(w, prPng, "Image-level precision-recall curve",
            $"<b style=\"color:{CurvePlots.PrHex}\">Precision-recall</b> · AP <b>{Formatting.Percent(ranking.AveragePrecision)}</b>{f1} · dashed: {Formatting.Percent(positiveRate)}% anomalous");
        w.Write("</div>\n");
    }

    private static double F1(PrecisionRecallCurve pr, int i) =>
        2 * pr.Precision[i] * pr.Recall[i] / (pr.Precision[i] + pr.Recall[i]);

    private static void Figure(TextWriter w, byte[] png, string alt, string captionHtml) =>
        w.Write($"<figure class=\"plot\"><img src=\"{Html.DataUri("image/png", png)}\" width=\"{CurvePlots.Width}\" height=\"{CurvePlots.Height}\" alt=\"{alt}\"><figcaption>{captionHtml}</figcaption></figure>\n");
}
