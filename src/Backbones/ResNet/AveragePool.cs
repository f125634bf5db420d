using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones.ResNet;

/// <summary>
/// ONNX AveragePool as the network's last step (7×7, stride 1 here: global only up to 227 px inputs). On a feature map
/// smaller than the window, where ONNX Runtime would refuse to run, the window shrinks to the map so that small
/// inputs still give a (global) pooled feature.
/// </summary>
internal sealed class AveragePool : nn.Module<Tensor, Tensor>
{
    private readonly PoolSpec _spec;

    public AveragePool(PoolSpec spec) : base(spec.Name)
    {
        if (!spec.Padding.IsSymmetric)
            throw new ArgumentException($"asymmetric average-pool padding {spec.Padding} is not supported", nameof(spec));
        _spec = spec;
    }

    public override Tensor forward(Tensor x)
    {
        long[] kernel = [Math.Min(_spec.Kernel[0], x.shape[2]), Math.Min(_spec.Kernel[1], x.shape[3])];
        return nn.functional.avg_pool2d(x, kernel, _spec.Stride, [_spec.Padding.Top, _spec.Padding.Left],
            count_include_pad: _spec.CountIncludePad);
    }
}
