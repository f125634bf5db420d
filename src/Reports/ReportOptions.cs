namespace AnomalyClip.Reports;

/// <summary>How much <see cref="EvaluationReport.Write"/> puts into the galleries, and how large.</summary>
public sealed record ReportOptions
{
    /// <summary>The defaults: 6 worst and 6 best images per class, thumbnails at most 256 px on the long side.</summary>
    public static ReportOptions Default { get; } = new();

    /// <summary>Images per class in the "worst" gallery (the detector's mistakes first); 0 hides it.</summary>
    public int WorstPerClass { get; init; } = 6;

    /// <summary>Images per class in the "best" gallery (the most confident correct ones); 0 hides it.</summary>
    public int BestPerClass { get; init; } = 6;

    /// <summary>Longest side of a thumbnail in pixels (16 to 2048); larger overlays are downscaled, smaller ones kept.</summary>
    public int ThumbnailMaxSide { get; init; } = 256;

    /// <summary>JPEG quality of the embedded thumbnails (1 to 100).</summary>
    public int ThumbnailQuality { get; init; } = 85;

    /// <summary>The time shown in the header; <see langword="null"/> for the time of writing.</summary>
    public DateTimeOffset? GeneratedAt { get; init; }

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(WorstPerClass);
        ArgumentOutOfRangeException.ThrowIfNegative(BestPerClass);
        ArgumentOutOfRangeException.ThrowIfLessThan(ThumbnailMaxSide, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ThumbnailMaxSide, 2048);
        ArgumentOutOfRangeException.ThrowIfLessThan(ThumbnailQuality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ThumbnailQuality, 100);
    }
}
