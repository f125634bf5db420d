using System.Text;
using AnomalyClip.Clip.IO;
using AnomalyClip.Reports.Html;

namespace AnomalyClip.Reports;

/// <summary>
/// Writes one self-contained HTML page for an evaluation run: the settings, the metric table (per class and mean,
/// ×100), each class's image-level ROC and precision-recall curves and a gallery of its worst and best overlays.
/// Plots (PNG) and thumbnails (JPEG) are embedded as <c>data:</c> URIs and the CSS is inline, so the file needs
/// nothing else to be viewed, and no network.
/// </summary>
public static class EvaluationReport
{
    /// <summary>The report's usual file name inside a results folder.</summary>
    public const string FileName = "report.html";

    /// <summary>Writes the report atomically (temporary name, then rename) to <paramref name="path"/>, creating its folder.</summary>
    /// <param name="input">What to report; every string from it is HTML-escaped.</param>
    /// <param name="path">Target file, usually <c>&lt;results folder&gt;/</c><see cref="FileName"/>.</param>
    /// <param name="options">Gallery and thumbnail sizes; <see langword="null"/> for <see cref="ReportOptions.Default"/>.</param>
    /// <exception cref="ArgumentException">A required value is missing, an option is out of range, or an image score is NaN or infinite.</exception>
    /// <remarks>Overlay files that are missing or unreadable get a note in place of their thumbnail; they never fail the report.</remarks>
    public static void Write(ReportInput input, string path, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= ReportOptions.Default;
        options.Validate();
        Validate(input);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            HtmlReport.Write(writer, input, options);
        });
    }

    private static void Validate(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input.Title, nameof(input));
        ArgumentNullException.ThrowIfNull(input.Settings, nameof(input));
        ArgumentNullException.ThrowIfNull(input.Classes, nameof(input));
        ArgumentNullException.ThrowIfNull(input.Mean, nameof(input));
        foreach (var cls in input.Classes)
        {
            if (cls is null) throw new ArgumentException("a report class is null", nameof(input));
            if (cls.Name is null || cls.Metrics is null || cls.Images is null)
                throw new ArgumentException($"class '{cls.Name}': name, metrics and images are required", nameof(input));
            foreach (var image in cls.Images)
            {
                if (image is null || image.File is null) throw new ArgumentException($"class '{cls.Name}': an image or its file name is null", nameof(input));
                if (!double.IsFinite(image.Score))
                    throw new ArgumentException($"class '{cls.Name}', image '{image.File}': score is {image.Score}", nameof(input));
            }
        }
    }
}
