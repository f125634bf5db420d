using ScottPlot;

namespace AnomalyClip.Reports.Plots;

/// <summary>
/// The sans-serif family the plots use. ScottPlot's own "sans" guess falls back to a serif face on a bare Linux
/// (SkiaSharp without fontconfig), so common families are tried by name and the first one really present wins.
/// </summary>
internal static class PlotFont
{
    private static readonly string[] Candidates = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "Segoe UI"];

    /// <summary>The chosen family, or ScottPlot's default when none of the candidates is installed.</summary>
    public static string Family { get; } = Resolve();

    private static string Resolve()
    {
        foreach (var name in Candidates)
        {
            var typeface = Fonts.GetTypeface(name, bold: false, italic: false);
            if (typeface is not null && string.Equals(typeface.FamilyName, name, StringComparison.OrdinalIgnoreCase)) return name;
        }
        return Fonts.Default;
    }
}
