using AnomalyClip.Reports.Curves;
using ScottPlot;

namespace AnomalyClip.Reports.Plots;

/// <summary>
/// Draws the image-level ROC and precision-recall curves of a class as PNG images with ScottPlot. The figures
/// (AUROC, AP, F1-max) go into the HTML caption, so the plots carry no legend.
/// </summary>
internal static class CurvePlots
{
    /// <summary>Width of a plot in CSS pixels.</summary>
    public const int Width = 440;

    /// <summary>Height of a plot in CSS pixels.</summary>
    public const int Height = 340;

    /// <summary>Colour of the ROC curve (CSS hex).</summary>
    public const string RocHex = "#2563eb";

    /// <summary>Colour of the precision-recall curve (CSS hex).</summary>
    public const string PrHex = "#7c3aed";

    /// <summary>Colour of the F1-max marker (CSS hex).</summary>
    public const string F1Hex = "#dc2626";

    // Rendered at twice the CSS size so the curves stay sharp on high-density screens.
    private const double Scale = 2;

    // Markers on every point only while they do not clutter the line.
    private const int MaxMarkedPoints = 60;

    private static readonly Color ChanceColor = Color.FromHex("#9ca3af");

    /// <summary>The ROC curve over the chance diagonal.</summary>
    public static byte[] Roc(RocCurve curve)
    {
        using var plot = NewPlot("False positive rate", "True positive rate");
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = ChanceColor;
        chance.LinePattern = LinePattern.Dashed;
        chance.LineWidth = 1;
        Curve(plot, curve.Fpr, curve.Tpr, Color.FromHex(RocHex), ConnectStyle.Straight);
        return Render(plot);
    }

    /// <summary>
    /// The precision-recall curve as steps (the area under the steps is the average precision) over the chance
    /// level (the share of anomalous images), with the point at index <paramref name="f1MaxIndex"/> marked (−1: none).
    /// </summary>
    public static byte[] PrecisionRecall(PrecisionRecallCurve curve, double positiveRate, int f1MaxIndex)
    {
        using var plot = NewPlot("Recall", "Precision");
        plot.Add.HorizontalLine(positiveRate, 1, ChanceColor, LinePattern.Dashed);
        // Between two points the precision of the later (lower-threshold) point holds, as average precision counts it.
        Curve(plot, curve.Recall, curve.Precision, Color.FromHex(PrHex), ConnectStyle.StepVertical);
        if (f1MaxIndex >= 0)
            plot.Add.Marker(curve.Recall[f1MaxIndex], curve.Precision[f1MaxIndex], MarkerShape.FilledCircle, 12, Color.FromHex(F1Hex));
        return Render(plot);
    }

    private static Plot NewPlot(string xLabel, string yLabel)
    {
        var plot = new Plot { ScaleFactor = Scale };
        plot.Font.Set(PlotFont.Family);
        plot.XLabel(xLabel, 13);
        plot.YLabel(yLabel, 13);
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.04);
        plot.Grid.MajorLineColor = Color.FromHex("#eceef1");
        plot.Axes.FrameColor(Color.FromHex("#9ca3af"));
        return plot;
    }

    private static void Curve(Plot plot, double[] xs, double[] ys, Color color, ConnectStyle style)
    {
        var line = plot.Add.ScatterLine(xs, ys, color);
        line.LineWidth = 2.5f;
        line.ConnectStyle = style;
        line.FillY = true;
        line.FillYValue = 0;
        line.FillYColor = color.WithAlpha(0.12);
        line.MarkerShape = MarkerShape.FilledCircle;
        line.MarkerSize = xs.Length <= MaxMarkedPoints ? 5 : 0;
    }

    private static byte[] Render(Plot plot) =>
        plot.GetImageBytes((int)(Width * Scale), (int)(Height * Scale), ImageFormat.Png);
}
