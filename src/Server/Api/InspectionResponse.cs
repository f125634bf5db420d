using System.Text.Json.Serialization;

namespace AnomalyClip.Server.Api;

/// <summary>The answer of <c>POST /v1/inspect</c> (JSON, snake_case).</summary>
/// <param name="Class">The class the image was inspected as.</param>
/// <param name="Score">The detector's image score, higher = more anomalous (its meaning: <c>/v1/detectors</c>).</param>
/// <param name="Label"><c>anomalous</c> when the score is strictly above <paramref name="Threshold"/>, else <c>normal</c>; null without an image threshold.</param>
/// <param name="Threshold">The image threshold applied, or null when none is known.</param>
/// <param name="MapMax">The anomaly map's maximum (map units).</param>
/// <param name="PixelThreshold">The map threshold of the mask, or null when none is known.</param>
/// <param name="DefectFraction">Fraction of map pixels strictly above the pixel threshold, or null without one.</param>
/// <param name="Width">Width of the decoded image in pixels.</param>
/// <param name="Height">Height of the decoded image in pixels.</param>
/// <param name="MapSize">Side of the square map (and of the overlay and mask PNGs) in pixels.</param>
/// <param name="OverlayPng">With <c>return=overlay</c>: the JET heatmap blended over the image, PNG, base64.</param>
/// <param name="MaskPng">With <c>return=mask</c> and a pixel threshold: the 0/255 defect mask, PNG, base64.</param>
/// <param name="Map">With <c>return=map</c>: the anomaly map, <paramref name="MapSize"/> rows of floats.</param>
/// <param name="ElapsedMs">Time spent on the request in the server, milliseconds.</param>
internal sealed record InspectionResponse(
    string Class,
    double Score,
    string? Label,
    double? Threshold,
    double MapMax,
    double? PixelThreshold,
    double? DefectFraction,
    int Width,
    int Height,
    int MapSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OverlayPng,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MaskPng,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[][]? Map,
    double ElapsedMs);
