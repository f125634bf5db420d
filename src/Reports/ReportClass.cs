using AnomalyClip.Inference.Metrics;

namespace AnomalyClip.Reports;

/// <summary>One class (object category) of an evaluation run.</summary>
/// <param name="Name">Class name, shown as the section title and the table row.</param>
/// <param name="Metrics">The class's metrics as the evaluation computed them (fractions in [0, 1], NaN where undefined).</param>
/// <param name="Images">The class's images with their labels and scores, in any order.</param>
public sealed record ReportClass(string Name, ClassMetrics Metrics, IReadOnlyList<ReportImage> Images);
