using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Reports;

/// <summary>Everything <see cref="EvaluationReport.Write"/> puts into a report.</summary>
/// <param name="Title">Page title (the run's name).</param>
/// <param name="Settings">The run's settings as name/value pairs, shown in the header in this order.</param>
/// <param name="Classes">Per-class results in table order.</param>
/// <param name="Mean">The mean row of the metric table (for example <see cref="MetricSuite.Mean"/>).</param>
public sealed record ReportInput(
    string Title,
    IReadOnlyList<KeyValuePair<string, string>> Settings,
    IReadOnlyList<ReportClass> Classes,
    ClassMetrics Mean);
