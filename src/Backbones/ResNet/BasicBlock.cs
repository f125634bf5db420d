using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones.ResNet;

/// <summary>ResNet's BasicBlock: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)), the shortcut an identity or a projection.</summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly ConvNorm _first;
    private readonly ConvNorm _second;
    private readonly ConvNorm? _projection;

    public BasicBlock(string name, BlockSpec spec, Device device, ScalarType dtype) : base(name)
    {
        _first = new ConvNorm(spec.First, device, dtype);
        _second = new ConvNorm(spec.Second, device, dtype);
        register_module("first", _first);
        register_module("second", _second);
        if (spec.Projection is not null)
        {
            _projection = new ConvNorm(spec.Projection, device, dtype);
            register_module("projection", _projection);
        }
    }

    public override Tensor forward(Tensor x)
    {
        Tensor shortcut = _projection?.forward(x) ?? x;
        // The exported CNTK pads are fixed for even sides. On an odd side the strided 3×3 path comes out one shorter
        // than the strided 1×1 projection and ONNX Runtime cannot run the graph at all; one more end row/column is
        // what CNTK's own "same" padding does there, and it changes nothing at the sizes the graph does run.
        int extraBottom = _first.EndPaddingFor(x.shape[2], shortcut.shape[2], 0);
        int extraRight = _first.EndPaddingFor(x.shape[3], shortcut.shape[3], 1);
        Tensor y;
        using (Tensor h = _first.Forward(x, extraBottom, extraRight).relu_()) y = _second.forward(h);
        y.add_(shortcut);
        if (_projection is not null) shortcut.Dispose();
        return y.relu_();
    }
}
