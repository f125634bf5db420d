using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Maps;

/// <summary>
/// APRIL-GAN's text-patch anomaly maps: logits = scale · F̂ · T per patch, reshaped to the patch grid, upsampled
/// bilinearly (align_corners true) to the image side and only then soft-maxed over [normal, abnormal].
/// </summary>
public static class ZeroShotMaps
{
    /// <summary>
    /// Token logits scale · F̂ · T: [N, G², 2] for normalised patch features <paramref name="features"/> [N, G², E]
    /// and text features <paramref name="text"/> [E, 2] (one class) or [N, E, 2] (per image).
    /// </summary>
    public static Tensor TokenLogits(Tensor features, Tensor text, double scale = 100.0)
    {
        using var scope = NewDisposeScope();
        var t = text.dim() == 2 ? text.unsqueeze(0).expand(features.shape[0], -1, -1) : text;
        return (features.matmul(t.to(features.device).to_type(features.dtype)) * scale).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-pixel probabilities [N, 2, S, S] of one layer: token logits [N, G², 2] → [N, 2, G, G] → bilinear
    /// (align_corners true) to S → softmax over the 2 channels.
    /// </summary>
    public static Tensor LayerProbabilities(Tensor tokenLogits, int size)
    {
        using var scope = NewDisposeScope();
        long n = tokenLogits.shape[0], l = tokenLogits.shape[1];
        long g = (long)Math.Round(Math.Sqrt(l));
        if (g * g != l) throw new ArgumentException($"{l} patch tokens do not form a square grid", nameof(tokenLogits));
        var grid = tokenLogits.permute(0, 2, 1).reshape(n, 2, g, g);
        var up = nn.functional.interpolate(grid, [size, size], mode: InterpolationMode.Bilinear, align_corners: true);
        return up.softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>The abnormal-channel map [N, S, S] of one layer.</summary>
    public static Tensor LayerMap(Tensor features, Tensor text, int size, double scale = 100.0)
    {
        using var scope = NewDisposeScope();
        var probs = LayerProbabilities(TokenLogits(features, text, scale), size);
        return probs[.., 1].contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Upsamples per-patch values [N, G²] to [N, S, S] bilinearly with align_corners true (how APRIL-GAN resizes
    /// both its logits and its memory-bank distances).
    /// </summary>
    public static Tensor UpsamplePatchValues(Tensor values, int size)
    {
        using var scope = NewDisposeScope();
        long n = values.shape[0], l = values.shape[1];
        long g = (long)Math.Round(Math.Sqrt(l));
        if (g * g != l) throw new ArgumentException($"{l} patch values do not form a square grid", nameof(values));
        var up = nn.functional.interpolate(values.reshape(n, 1, g, g), [size, size], mode: InterpolationMode.Bilinear, align_corners: true);
        return up[.., 0].contiguous().MoveToOuterDisposeScope();
    }
}
