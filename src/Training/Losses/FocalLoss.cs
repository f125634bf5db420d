using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Losses;

/// <summary>
/// APRIL-GAN's focal loss on probabilities (no softmax inside): pixels flattened batch-major, one-hot target
/// clamped to [smooth, 1 − smooth], pt = Σ_c y_c·P_c + smooth, loss = mean(−α·(1 − pt)^γ · ln pt) with α = 1.
/// </summary>
public static class FocalLoss
{
    /// <summary>Focal exponent γ.</summary>
    public const double Gamma = 2.0;

    /// <summary>Label smoothing and the pt offset.</summary>
    public const double Smooth = 1e-5;

    /// <summary>Loss of probabilities <paramref name="probs"/> [B, C, H, W] against class indices <paramref name="target"/> [B, H, W] (0/1 floats or ints).</summary>
    public static Tensor Compute(Tensor probs, Tensor target)
    {
        using var scope = NewDisposeScope();
        long c = probs.shape[1];
        var p = probs.reshape(probs.shape[0], c, -1).permute(0, 2, 1).reshape(-1, c);
        var idx = target.reshape(-1).to_type(ScalarType.Int64).to(p.device);
        var oneHot = nn.functional.one_hot(idx, c).to_type(p.dtype).clamp(Smooth / (c - 1), 1.0 - Smooth);
        var pt = (oneHot * p).sum(1, keepdim: false) + Smooth;
        var loss = -(1.0 - pt).pow(Gamma) * pt.log();
        return loss.mean().MoveToOuterDisposeScope();
    }
}
