using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Visualization;
using AnomalyClip.Server.Detectors;
using SixLabors.ImageSharp;

namespace AnomalyClip.Server.Api;

/// <summary>Turns a detector's result into the response: label, defect fraction and the asked-for PNGs and map.</summary>
internal static class ResultRendering
{
    /// <summary>The response, with <see cref="InspectionResponse.ElapsedMs"/> left for the caller to set.</summary>
    public static InspectionResponse Render(ServedClass served, DecodedImage image, AnomalyResult result, ResultParts parts)
    {
        double? threshold = served.Thresholds?.Image;
        double? pixel = served.Thresholds?.Pixel;
        var map = result.Map;
        return new InspectionResponse(
            served.Name, result.Score,
            threshold is double t ? (result.Score > t ? "anomalous" : "normal") : null, threshold,
            result.MapMax, pixel,
            pixel is double p ? map.Values.Count(v => v > p) / (double)map.Values.Length : null,
            image.Width, image.Height, map.Width,
            parts.HasFlag(ResultParts.Overlay) ? Overlay(served, image, result) : null,
            parts.HasFlag(ResultParts.Mask) && pixel is double mp ? Base64Png(MaskImage.Create(result, mp, originalSize: false)) : null,
            parts.HasFlag(ResultParts.Map) ? Rows(map) : null,
            0);
    }

    // On the detector's fixed colour scale where it has one, so normal parts stay cool; else per-image min-max (the paper).
    private static string Overlay(ServedClass served, DecodedImage image, AnomalyResult result)
    {
        var scale = served.MapRange is (double lo, double hi) && (float)hi > (float)lo ? HeatmapScale.Fixed(lo, hi) : HeatmapScale.PerImage;
        return Base64Png(HeatmapOverlay.Render(image, result, new HeatmapOverlayOptions { Scale = scale }));
    }

    private static string Base64Png(Image image)
    {
        using (image)
        using (var stream = new MemoryStream())
        {
            image.SaveAsPng(stream);
            return Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
        }
    }

    private static float[][] Rows(AnomalyMap map)
    {
        var rows = new float[map.Height][];
        for (int y = 0; y < map.Height; y++) rows[y] = map.Values.AsSpan(y * map.Width, map.Width).ToArray();
        return rows;
    }
}
