namespace AnomalyClip.Server.Api;

/// <summary>The answer of <c>GET /v1/detectors</c>: what the server inspects and its limits.</summary>
/// <param name="Classes">The served classes, by name.</param>
/// <param name="BatchLimit">Most images of one class per forward pass.</param>
/// <param name="QueueLimit">Requests that may wait per device before 429.</param>
/// <param name="MaxRequestBytes">Largest request body (413 above).</param>
/// <param name="MaxPixels">Largest image in pixels (413 above).</param>
/// <param name="PageHistory">Results the web page keeps.</param>
internal sealed record DetectorsResponse(IReadOnlyList<DetectorInfo> Classes, int BatchLimit, int QueueLimit, long MaxRequestBytes, long MaxPixels, int PageHistory);

/// <summary>One served class.</summary>
/// <param name="Name">The class name (<c>class</c> of <c>/v1/inspect</c>).</param>
/// <param name="Backbone">resnet18, clip, ...</param>
/// <param name="Device">Where its detector runs.</param>
/// <param name="Mode">few-shot or zero-shot.</param>
/// <param name="MapSize">Side of the square anomaly map in pixels.</param>
/// <param name="Score">What the image score means.</param>
/// <param name="Map">What the map is.</param>
/// <param name="ImageThreshold">Image-score threshold (strictly above = anomalous), or null.</param>
/// <param name="PixelThreshold">Map threshold of the mask, or null.</param>
/// <param name="ThresholdMethod">How the thresholds were chosen, or null.</param>
/// <param name="Settings">The detector's settings.</param>
internal sealed record DetectorInfo(string Name, string Backbone, string Device, string Mode, int MapSize, string Score, string Map,
    double? ImageThreshold, double? PixelThreshold, string? ThresholdMethod, IReadOnlyDictionary<string, string> Settings);
