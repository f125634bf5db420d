using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>Everything one batched detector pass computed (owns its tensors; internal for parity tests).</summary>
internal sealed class DetectionOutputs : IDisposable
{
    /// <summary>[N, 2] softmax(scale · ĝ · T): column 1 is the zero-shot image score.</summary>
    public required Tensor TextProbs { get; init; }

    /// <summary>[L, N, S, S] abnormal probability of each adapter layer.</summary>
    public required Tensor ZeroShotLayerMaps { get; init; }

    /// <summary>[N, S, S] sum over layers of <see cref="ZeroShotLayerMaps"/>.</summary>
    public required Tensor ZeroShotMap { get; init; }

    /// <summary>[Lf, N, S, S] memory-bank distance maps, or null without banks.</summary>
    public Tensor? FewShotLayerMaps { get; init; }

    /// <summary>[N, S, S] sum of <see cref="FewShotLayerMaps"/>, or null.</summary>
    public Tensor? FewShotMap { get; init; }

    /// <summary>[N, S, S] the final map: zero-shot (+ few-shot), after the optional post-processing.</summary>
    public required Tensor Map { get; init; }

    public void Dispose()
    {
        TextProbs.Dispose();
        ZeroShotLayerMaps.Dispose();
        ZeroShotMap.Dispose();
        FewShotLayerMaps?.Dispose();
        FewShotMap?.Dispose();
        Map.Dispose();
    }
}
