using AnomalyClip.Adapter.Projection;
using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Losses;
using AnomalyClip.Training.Optimization;
using AnomalyClip.Training.Trainer;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Training.Trainer;

/// <summary>
/// Three optimiser steps of APRIL-GAN's train.py on tiny-a (golden README §8): losses (1e-5 relative), gradients
/// (1e-6), parameters and Adam moments (1e-5 where the update is not numerically fragile).
/// </summary>
public class TrainingParityTests
{
    private const double Lr = 1e-3;

    [Fact]
    public void ThreeAdamStepsMatchTheReference()
    {
        using var scope = NewDisposeScope();
        using var projector = new PatchProjector(64, 32, 4);
        using (no_grad())
        {
            foreach (var (name, p) in projector.named_parameters()) p.copy_(Golden.AprilGan($"train/init/{name}"));
        }
        using var adam = new AdamOptimizer(projector.named_parameters().Select(p => (p.name, p.parameter)), Lr, 0.5, 0.999);
        using var enc = TinyModels.AprilGan.EncodeImage(Golden.AprilGan("train/images"), [1, 2, 3, 4], pooled: false);
        var tokens = enc.Tokens.Select(t => t.clone()).ToArray();
        var order = Golden.AprilGan("train/step_order");
        var focal = Golden.AprilGan("train/focal_loss");
        var dice = Golden.AprilGan("train/dice_loss");
        var total = Golden.AprilGan("train/total_loss");
        for (int s = 0; s < 3; s++)
        {
            var idx = order[s];
            var batchTokens = tokens.Select(t => t.index_select(0, idx)).ToArray();
            var text = Golden.AprilGan("train/text_features").index_select(0, idx);
            var masks = Golden.AprilGan("train/masks").index_select(0, idx);
            adam.ZeroGrad();
            var loss = AdapterObjective.Compute(projector, batchTokens, text, masks, [true, true, true, true], 48);
            for (int l = 0; l < 4; l++)
            {
                AssertRelative(focal[s, l].item<double>(), loss.Focal[l], $"focal step {s + 1} layer {l + 1}");
                AssertRelative(dice[s, l].item<double>(), loss.Dice[l], $"dice step {s + 1} layer {l + 1}");
            }
            AssertRelative(total[s].item<double>(), loss.Total.item<float>(), $"total step {s + 1}");
            if (s == 0) // the reference stores P_l in canonical sample order, the batch is shuffled
                TensorAssert.Close(Golden.AprilGan("train/step1/layer_probs_abnormal"), loss.AbnormalProbabilities.index_select(1, idx.argsort()), 1e-5, "P_l");
            loss.Total.backward();
            foreach (var (name, p) in projector.named_parameters())
                TensorAssert.Close(Golden.AprilGan($"train/step{s + 1}/grad/{name}"), p.grad!, 1e-6, $"grad {name} step {s + 1}");
            adam.StepOnce();
            foreach (var (name, p) in projector.named_parameters())
                AssertParams(Golden.AprilGan($"train/step{s + 1}/param/{name}"), p, Golden.AprilGan($"train/fragile_mask/{name}"), s + 1, name);
        }
        foreach (var (name, _) in projector.named_parameters())
        {
            TensorAssert.Close(Golden.AprilGan($"train/step3/adam/{name}/exp_avg"), adam.ExpAvg[name], 1e-6, $"exp_avg {name}");
            TensorAssert.Close(Golden.AprilGan($"train/step3/adam/{name}/exp_avg_sq"), adam.ExpAvgSq[name], 1e-9, $"exp_avg_sq {name}");
        }
    }

    [Fact]
    public void LossesOnHandComputedCase()
    {
        // One sample, two pixels: p_abnormal = [0.8, 0.3], gt = [1, 0].
        using var probs = tensor(new float[] { 0.2f, 0.7f, 0.8f, 0.3f }, [1, 2, 1, 2]);
        using var gt = tensor(new float[] { 1, 0 }, [1, 1, 2]);
        double pt1 = (1 - 1e-5) * 0.8 + 1e-5 * 0.2 + 1e-5, pt2 = (1 - 1e-5) * 0.7 + 1e-5 * 0.3 + 1e-5;
        double focal = 0.5 * (-(1 - pt1) * (1 - pt1) * Math.Log(pt1) - (1 - pt2) * (1 - pt2) * Math.Log(pt2));
        Assert.Equal(focal, FocalLoss.Compute(probs, gt).item<float>(), 6);
        double dice = 1 - (2 * 0.8 + 1) / (0.8 + 0.3 + 1 + 1);
        Assert.Equal(dice, DiceLoss.Compute(probs[.., 1], gt).item<float>(), 6);
    }

    private static void AssertRelative(double expected, double actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-5 * Math.Abs(expected) + 1e-9, $"{what}: expected {expected:R}, got {actual:R}");

    private static void AssertParams(Tensor expected, Tensor actual, Tensor fragile, int steps, string name)
    {
        using var diff = (actual.detach().to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs();
        using var isFragile = fragile.to_type(ScalarType.Bool);
        double robust = diff.masked_fill(isFragile, 0).max().item<double>();
        double worstFragile = diff.masked_fill(isFragile.logical_not(), 0).max().item<double>();
        Assert.True(robust <= 1e-5, $"{name} after {steps} steps: {robust:E2} > 1e-5");
        Assert.True(worstFragile <= 2 * Lr * steps, $"{name} after {steps} steps (fragile elements): {worstFragile:E2}");
    }
}
