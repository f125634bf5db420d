using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones.ResNet;

/// <summary>
/// ONNX MaxPool with explicit, possibly asymmetric, padding. ONNX pads a max-pool with −∞ (padding never wins), so the
/// asymmetric case pads with −∞ before an unpadded pool.
/// </summary>
internal sealed class MaxPool : nn.Module<Tensor, Tensor>
{
    private readonly PoolSpec _spec;

    public MaxPool(PoolSpec spec) : base(spec.Name) => _spec = spec;

    public override Tensor forward(Tensor x)
    {
        Padding p = _spec.Padding;
        // torch's own padding is −∞ as well, but only symmetric and at most half the window.
        if (p.IsSymmetric && 2 * p.Top <= _spec.Kernel[0] && 2 * p.Left <= _spec.Kernel[1])
            return nn.functional.max_pool2d(x, _spec.Kernel, _spec.Stride, [p.Top, p.Left]);
        using Tensor padded = nn.functional.pad(x, [p.Left, p.Right, p.Top, p.Bottom], PaddingModes.Constant,
            double.NegativeInfinity);
        return nn.functional.max_pool2d(padded, _spec.Kernel, _spec.Stride);
    }
}
