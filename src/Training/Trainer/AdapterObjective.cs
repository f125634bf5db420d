using AnomalyClip.Adapter.Projection;
using AnomalyClip.Inference.Maps;
using AnomalyClip.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Trainer;

/// <summary>Loss terms of one training batch, per adapter layer.</summary>
/// <param name="Total">Σ_l focal_l + dice_l (+ image-level terms), the tensor to back-propagate.</param>
/// <param name="Focal">Focal loss per layer.</param>
/// <param name="Dice">Dice loss per layer.</param>
/// <param name="ImageLevel">Image-level loss per layer (only when some samples have no mask).</param>
/// <param name="AbnormalProbabilities">[L, B, S, S] abnormal-channel probabilities (detached).</param>
public sealed record BatchLoss(Tensor Total, double[] Focal, double[] Dice, double[] ImageLevel, Tensor AbnormalProbabilities);

/// <summary>
/// APRIL-GAN's training objective: per layer, P_l = softmax(upsample(100·F̂_l·T)) and loss Σ_l Focal(P_l, gt) +
/// Dice(P_l[:,1], gt). Anomalous samples that carry only an image label (no mask) get, instead of the pixel terms,
/// a binary cross-entropy on the layer's highest abnormal probability (a multiple-instance image-level term).
/// </summary>
public static class AdapterObjective
{
    /// <summary>
    /// Computes the loss of one batch. <paramref name="tokens"/>: per adapter layer [B, 1+G², W] (normal tensors, not
    /// inference-mode); <paramref name="text"/>: [B, E, 2]; <paramref name="masks"/>: [B, S, S] in {0,1};
    /// <paramref name="hasMask"/>: per sample, whether its mask is real (normal images always are: all zeros).
    /// </summary>
    public static BatchLoss Compute(PatchProjector projector, IReadOnlyList<Tensor> tokens, Tensor text, Tensor masks, bool[] hasMask, int size, double logitScale = 100.0)
    {
        using var scope = NewDisposeScope();
        var features = projector.Project(tokens);
        var pixelIdx = Enumerable.Range(0, hasMask.Length).Where(i => hasMask[i]).Select(i => (long)i).ToArray();
        var imageIdx = Enumerable.Range(0, hasMask.Length).Where(i => !hasMask[i]).Select(i => (long)i).ToArray();
        var gt = masks.to(projector.Device).to_type(ScalarType.Float32);
        var pixelSel = tensor(pixelIdx, device: projector.Device);
        var imageSel = tensor(imageIdx, device: projector.Device);

        Tensor total = zeros(1, device: projector.Device).squeeze();
        var focal = new double[features.Length];
        var dice = new double[features.Length];
        var imageLevel = new double[features.Length];
        var abnormal = new Tensor[features.Length];
        for (int l = 0; l < features.Length; l++)
        {
            var probs = ZeroShotMaps.LayerProbabilities(ZeroShotMaps.TokenLogits(features[l], text, logitScale), size);
            abnormal[l] = probs[.., 1].detach();
            if (pixelIdx.Length > 0)
            {
                var p = pixelIdx.Length == hasMask.Length ? probs : probs.index_select(0, pixelSel);
                var g = pixelIdx.Length == hasMask.Length ? gt : gt.index_select(0, pixelSel);
                var f = FocalLoss.Compute(p, g);
                var d = DiceLoss.Compute(p[.., 1], g);
                focal[l] = f.item<float>();
                dice[l] = d.item<float>();
                total = total + f + d;
            }
            if (imageIdx.Length > 0)
            {
                var peak = probs.index_select(0, imageSel)[.., 1].amax([1, 2]).clamp(1e-6, 1 - 1e-6);
                var bce = -peak.log().mean(); // every sample here is anomalous (normal images have all-zero masks)
                imageLevel[l] = bce.item<float>();
                total = total + bce;
            }
        }
        return new BatchLoss(total.MoveToOuterDisposeScope(), focal, dice, imageLevel, stack(abnormal, 0).MoveToOuterDisposeScope());
    }
}
