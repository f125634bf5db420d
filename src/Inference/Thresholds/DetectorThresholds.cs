using System.Text.Json;
using System.Text.Json.Serialization;
using AnomalyClip.Clip.IO;

namespace AnomalyClip.Inference.Thresholds;

/// <summary>
/// Decision thresholds of a detector, stored as a small JSON file next to its adapter or memory bank (the CLI's
/// <c>--thresholds FILE</c>). A value strictly above a threshold is anomalous (see <see cref="ThresholdCalibration"/>).
/// </summary>
/// <remarks>
/// File format (UTF-8 JSON, snake_case, unknown properties rejected):
/// <code>
/// { "image": 0.62, "pixel": 1.85, "method": "f1-optimal", "details": { "class": "bottle", "image_f1": "0.95" } }
/// </code>
/// <c>image</c> and <c>pixel</c> may be null or absent when not calibrated. <see cref="Details"/> compares by
/// reference in the record's equality.
/// </remarks>
public sealed record DetectorThresholds
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
    };

    /// <summary>Image-score threshold (score units, e.g. a probability in [0, 1]); null when not calibrated.</summary>
    public double? Image { get; init; }

    /// <summary>Anomaly-map pixel threshold (map units); null when not calibrated.</summary>
    public double? Pixel { get; init; }

    /// <summary>
    /// How the thresholds were chosen, e.g. <c>"f1-optimal"</c> (<see cref="ThresholdCalibration.F1Optimal(ReadOnlySpan{double}, ReadOnlySpan{bool})"/>)
    /// or <c>"normal-quantile-0.99"</c> (<see cref="ThresholdCalibration.FromNormals(ReadOnlySpan{double}, double)"/>).
    /// </summary>
    public required string Method { get; init; }

    /// <summary>Free-form facts about the calibration (class, data set, F1 reached, sample counts...), as text.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>Writes the thresholds to <paramref name="path"/> as JSON, atomically.</summary>
    /// <exception cref="ArgumentException">A threshold is NaN or infinite, or the method is empty.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Problem() is string problem) throw new ArgumentException(problem);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");
    }

    /// <summary>Reads thresholds written by <see cref="Save"/>.</summary>
    /// <exception cref="ThresholdsFileException">
    /// The file is missing or unreadable, not valid JSON of this format, or holds a non-finite threshold, no method or null details.
    /// </exception>
    public static DetectorThresholds Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ThresholdsFileException(path, "thresholds file not found");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThresholdsFileException(path, "cannot read the thresholds file: " + e.Message, e);
        }

        DetectorThresholds? loaded;
        try
        {
            loaded = JsonSerializer.Deserialize<DetectorThresholds>(text, Json);
        }
        catch (JsonException e)
        {
            throw new ThresholdsFileException(path, "malformed thresholds JSON: " + e.Message, e);
        }
        if (loaded is null) throw new ThresholdsFileException(path, "the file holds JSON null, not thresholds");
        if (loaded.Problem() is string problem) throw new ThresholdsFileException(path, problem);
        return loaded;
    }

    private string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Method)) return "the threshold method is empty";
        if (Details is null) return "details must be a JSON object, not null";
        if (Image is double i && !double.IsFinite(i)) return $"image threshold is {i}";
        if (Pixel is double p && !double.IsFinite(p)) return $"pixel threshold is {p}";
        return null;
    }
}
