using System.Globalization;
using System.Text;

namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// The per-class results of one evaluation run plus their unweighted mean, formatted like APRIL-GAN's log table.
/// </summary>
public sealed class MetricSuite
{
    private static readonly string[] PaperColumns = ["objects", "auroc_px", "f1_px", "ap_px", "aupro", "auroc_sp", "f1_sp", "ap_sp"];
    private const string StandardColumn = "aupro_std";

    /// <summary>Builds the suite; the mean is taken over <paramref name="classes"/> with equal weights.</summary>
    /// <exception cref="ArgumentException">No classes, or a class name occurs twice.</exception>
    public MetricSuite(IEnumerable<ClassMetrics> classes)
    {
        Classes = [.. classes];
        if (Classes.Count == 0) throw new ArgumentException("a metric suite needs at least one class", nameof(classes));
        var duplicate = Classes.GroupBy(c => c.ClassName).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"class '{duplicate.Key}' occurs {duplicate.Count()} times", nameof(classes));
        Mean = new ClassMetrics("mean",
            Classes.Average(c => c.PixelAuroc), Classes.Average(c => c.PixelF1Max), Classes.Average(c => c.PixelAp),
            Classes.Average(c => c.Aupro), Classes.Average(c => c.ImageAuroc), Classes.Average(c => c.ImageF1Max),
            Classes.Average(c => c.ImageAp), Classes.Average(c => c.AuproStandard));
    }

    /// <summary>Per-class results in the order given.</summary>
    public IReadOnlyList<ClassMetrics> Classes { get; }

    /// <summary>Unweighted mean over <see cref="Classes"/> (named "mean"); a NaN in any class makes that column NaN, as numpy's mean does.</summary>
    public ClassMetrics Mean { get; }

    /// <summary>
    /// A Markdown pipe table in the paper's column order (objects, auroc_px, f1_px, ap_px, aupro, auroc_sp, f1_sp,
    /// ap_sp) with one row per class and a final mean row; values ×100 rounded to one decimal like their
    /// <c>np.round(x * 100, 1)</c> (ties to even), NaN as "nan".
    /// </summary>
    /// <param name="includeStandardAupro">Appends an <c>aupro_std</c> column with the standard AUPRO.</param>
    public string ToMarkdown(bool includeStandardAupro = false)
    {
        var header = includeStandardAupro ? [.. PaperColumns, StandardColumn] : PaperColumns;
        var rows = Classes.Append(Mean)
            .Select(c => new[] { c.ClassName }.Concat(Values(c, includeStandardAupro).Select(Percent)).ToArray())
            .ToList();
        var widths = header.Select((h, col) => Math.Max(h.Length, rows.Max(r => r[col].Length))).ToArray();

        var sb = new StringBuilder();
        AppendRow(sb, header, widths);
        sb.Append('|');
        for (int col = 0; col < widths.Length; col++)
            sb.Append(col == 0 ? ":" + new string('-', widths[col] + 1) : new string('-', widths[col] + 1) + ":").Append('|');
        sb.Append('\n');
        foreach (var row in rows) AppendRow(sb, row, widths);
        return sb.ToString();
    }

    /// <summary>
    /// CSV with a header row (objects, the seven paper columns, aupro_std), one row per class and a mean row; values
    /// are fractions in [0, 1] with full round-trip precision (invariant culture), NaN as "NaN".
    /// </summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', PaperColumns).Append(',').Append(StandardColumn).Append('\n');
        foreach (var c in Classes.Append(Mean))
        {
            sb.Append(Csv.Field(c.ClassName));
            foreach (double v in Values(c, includeStandardAupro: true)) sb.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A fraction as the paper prints it: ×100, rounded half to even to one decimal, e.g. 0.8324 → "83.2".</summary>
    internal static string Percent(double fraction)
    {
        if (double.IsNaN(fraction)) return "nan";
        double rounded = Math.Round(fraction * 100 * 10, MidpointRounding.ToEven) / 10;
        return rounded.ToString("0.0", CultureInfo.InvariantCulture);
    }

    private static IEnumerable<double> Values(ClassMetrics c, bool includeStandardAupro)
    {
        double[] paper = [c.PixelAuroc, c.PixelF1Max, c.PixelAp, c.Aupro, c.ImageAuroc, c.ImageF1Max, c.ImageAp];
        return includeStandardAupro ? [.. paper, c.AuproStandard] : paper;
    }

    private static void AppendRow(StringBuilder sb, string[] cells, int[] widths)
    {
        sb.Append('|');
        for (int col = 0; col < cells.Length; col++)
            sb.Append(' ').Append(col == 0 ? cells[col].PadRight(widths[col]) : cells[col].PadLeft(widths[col])).Append(" |");
        sb.Append('\n');
    }
}
