using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Losses;

/// <summary>
/// APRIL-GAN's dice loss on the abnormal probability: per sample d = (2·Σp·g + 1)/(Σp + Σg + 1), loss = 1 − mean d.
/// The batch axis is always kept (the reference's <c>squeeze()</c> drops it for a batch of one).
/// </summary>
public static class DiceLoss
{
    /// <summary>Smoothing added to numerator and denominator.</summary>
    public const double Smooth = 1.0;

    /// <summary>Loss of <paramref name="probs"/> [B, H, W] against binary <paramref name="target"/> [B, H, W].</summary>
    public static Tensor Compute(Tensor probs, Tensor target)
    {
        using var scope = NewDisposeScope();
        long n = probs.shape[0];
        var p = probs.reshape(n, -1);
        var g = target.reshape(n, -1).to_type(p.dtype).to(p.device);
        var dice = (2 * (p * g).sum(1, keepdim: false) + Smooth) / (p.sum(1, keepdim: false) + g.sum(1, keepdim: false) + Smooth);
        return (1 - dice.sum() / n).MoveToOuterDisposeScope();
    }
}
