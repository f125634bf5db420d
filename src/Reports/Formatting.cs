using System.Globalization;

namespace AnomalyClip.Reports;

/// <summary>How the report prints numbers.</summary>
internal static class Formatting
{
    /// <summary>The dash shown for an undefined (NaN) metric.</summary>
    public const string Missing = "–";

    /// <summary>A fraction ×100 with one decimal, rounded half to even like the paper's tables: 0.8325 → "83.2"; NaN or ±∞ → "–".</summary>
    public static string Percent(double fraction)
    {
        if (!double.IsFinite(fraction)) return Missing;
        // The same expression as results.md (MetricSuite), so both files print the same digits.
        double rounded = Math.Round(fraction * 100 * 10, MidpointRounding.ToEven) / 10;
        return rounded.ToString("0.0", CultureInfo.InvariantCulture);
    }

    /// <summary>An image score with four significant digits, invariant culture.</summary>
    public static string Score(double score) => score.ToString("G4", CultureInfo.InvariantCulture);
}
