using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AnomalyClip.Clip.IO;
using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// The outcome of an evaluation: per-class metrics and their mean, what was evaluated, the settings and a log.
/// <see cref="WriteTo"/> saves it as <c>results.md</c>, <c>results.csv</c>, <c>results.json</c> and <c>log.txt</c>
/// (plus <c>k_shot.txt</c> for few-shot runs).
/// </summary>
public sealed class EvaluationResult
{
    /// <summary>Markdown table file name.</summary>
    public const string MarkdownFile = "results.md";

    /// <summary>CSV file name.</summary>
    public const string CsvFile = "results.csv";

    /// <summary>JSON file name.</summary>
    public const string JsonFile = "results.json";

    /// <summary>Log file name.</summary>
    public const string LogFile = "log.txt";

    internal EvaluationResult(IReadOnlyList<ClassEvaluation> classes, IReadOnlyList<KeyValuePair<string, string>> settings,
        string log, FewShotReferences? references)
    {
        Classes = classes;
        Metrics = new MetricSuite(classes.Select(c => c.Metrics));
        Settings = settings;
        References = references;
        Log = log + "\n" + Metrics.ToMarkdown();
    }

    /// <summary>Per-class results in evaluation order.</summary>
    public IReadOnlyList<ClassEvaluation> Classes { get; }

    /// <summary>The per-class metrics and their unweighted mean (the paper's table).</summary>
    public MetricSuite Metrics { get; }

    /// <summary>The settings of the run as name/value pairs, in the order they are logged.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>Few-shot references used, or <see langword="null"/> for zero-shot runs and stored predictions.</summary>
    public FewShotReferences? References { get; }

    /// <summary>The log text: settings, one line per class, then the Markdown table (what <c>log.txt</c> holds).</summary>
    public string Log { get; }

    /// <summary>
    /// Writes the result files into <paramref name="outputDirectory"/> (created if needed), each one atomically:
    /// <c>results.md</c> (<see cref="MetricSuite.ToMarkdown"/>, the paper's columns ×100), <c>results.csv</c>
    /// (<see cref="MetricSuite.ToCsv"/>, fractions), <c>results.json</c> (settings, per class and mean every figure
    /// as a fraction, NaN written as <c>null</c>, plus image counts and references), <c>log.txt</c> (<see cref="Log"/>)
    /// and, with few-shot references, <c>k_shot.txt</c>. Other files in the folder are left alone.
    /// </summary>
    public void WriteTo(string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, MarkdownFile), Metrics.ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, CsvFile), Metrics.ToCsv());
        AtomicFile.Write(Path.Combine(outputDirectory, JsonFile), WriteJson);
        if (References is not null) AtomicFile.WriteAllText(Path.Combine(outputDirectory, FewShotReferences.FileName), References.ToKShotText());
        AtomicFile.WriteAllText(Path.Combine(outputDirectory, LogFile), Log);
    }

    // A local results file, never embedded in HTML: relaxed escaping keeps "+" and non-ASCII class names readable.
    private void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteStartObject("settings");
        foreach (var (key, value) in Settings) w.WriteString(key, value);
        w.WriteEndObject();
        w.WriteStartArray("classes");
        foreach (var c in Classes)
        {
            w.WriteStartObject();
            w.WriteString("class", c.ClassName);
            w.WriteNumber("images", c.Images);
            w.WriteNumber("anomalous", c.Anomalous);
            w.WriteBoolean("pixel_metrics_available", c.PixelMetricsAvailable);
            WriteFigures(w, c.Metrics);
            if (References is not null)
            {
                w.WriteStartArray("references");
                foreach (var r in c.References) w.WriteStringValue(r);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("mean");
        WriteFigures(w, Metrics.Mean);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteFigures(Utf8JsonWriter w, ClassMetrics m)
    {
        Figure(w, "auroc_px", m.PixelAuroc);
        Figure(w, "f1_px", m.PixelF1Max);
        Figure(w, "ap_px", m.PixelAp);
        Figure(w, "aupro", m.Aupro);
        Figure(w, "auroc_sp", m.ImageAuroc);
        Figure(w, "f1_sp", m.ImageF1Max);
        Figure(w, "ap_sp", m.ImageAp);
        Figure(w, "aupro_std", m.AuproStandard);
    }

    private static void Figure(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>Formats log lines: settings as <c>name: value</c>, then <paramref name="lines"/>.</summary>
    internal static string FormatLog(IEnumerable<KeyValuePair<string, string>> settings, IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in settings) sb.Append(key).Append(": ").Append(value).Append('\n');
        foreach (var line in lines) sb.Append(line).Append('\n');
        return sb.ToString();
    }

}
