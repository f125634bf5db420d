using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones.ResNet;

/// <summary>
/// A convolution and the BatchNormalization that reads it, in inference form: conv(x, w) · s + t with
/// s = γ/√(σ²+ε) and t = β − μ·s per channel (computed in float64, stored as float32). Padding is applied exactly
/// as the graph states it, asymmetric included. The convolution runs in the weights' dtype (bf16 or fp16 on hardware
/// that computes them natively) and the scale, the shift and the activations between layers stay float32, as under
/// PyTorch autocast, where batch norm is a float32 operation.
/// </summary>
/// <remarks>
/// The BN is deliberately not folded into the weights: rounding the scaled weights to float32 made the deviation
/// from an exact (float64) evaluation of the graph about 1.5× larger (up to 9e-5 at layer1/layer2 on real images,
/// close to the 1e-4 that parity with ONNX Runtime allows), while a separate scale and shift cost two cheap
/// element-wise passes.
/// </remarks>
internal sealed class ConvNorm : nn.Module<Tensor, Tensor>
{
    // Named as registered: Module.to(...) replaces buffers and re-points the fields of the same name.
    private Tensor weight;
    private Tensor scale;
    private Tensor shift;
    private readonly long[] _stride;
    private readonly long[] _kernel;

    public ConvNorm(ConvSpec spec, Device device, ScalarType dtype) : base(spec.Name)
    {
        var (s, t) = Affine(spec);
        long[] perChannel = [1, spec.OutChannels, 1, 1];
        weight = torch.tensor(spec.Weight, spec.Shape, dtype, device);
        scale = torch.tensor(s, perChannel, ScalarType.Float32, device);
        shift = torch.tensor(t, perChannel, ScalarType.Float32, device);
        register_buffer(nameof(weight), weight);
        register_buffer(nameof(scale), scale);
        register_buffer(nameof(shift), shift);
        _stride = spec.Stride;
        _kernel = [spec.Shape[2], spec.Shape[3]];
        Padding = spec.Padding;
    }

    public Padding Padding { get; }

    public override Tensor forward(Tensor x) => Forward(x, 0, 0);

    /// <summary>The layer with <paramref name="extraBottom"/>/<paramref name="extraRight"/> more zero rows/columns at the end.</summary>
    public Tensor Forward(Tensor x, int extraBottom, int extraRight)
    {
        Padding p = Padding.Extend(extraBottom, extraRight);
        Tensor input = x.dtype == weight.dtype ? x : x.to_type(weight.dtype);
        Tensor y;
        if (p.IsSymmetric)
        {
            y = nn.functional.conv2d(input, weight, strides: _stride, padding: [p.Top, p.Left]);
        }
        else
        {
            using Tensor padded = nn.functional.pad(input, [p.Left, p.Right, p.Top, p.Bottom]);
            y = nn.functional.conv2d(padded, weight, strides: _stride);
        }
        if (!ReferenceEquals(input, x)) input.Dispose();
        if (y.dtype != ScalarType.Float32)
        {
            using Tensor reduced = y;
            y = reduced.to_type(ScalarType.Float32);
        }
        return y.mul_(scale).add_(shift);
    }

    /// <summary>Output length along <paramref name="axis"/> (0 = height, 1 = width) for an input of <paramref name="length"/>.</summary>
    public long OutputLength(long length, int axis) => axis == 0
        ? Padding.OutputLength(length, _kernel[0], _stride[0], Padding.Top, Padding.Bottom)
        : Padding.OutputLength(length, _kernel[1], _stride[1], Padding.Left, Padding.Right);

    /// <summary>
    /// End padding to add along <paramref name="axis"/> so that the output reaches <paramref name="target"/>
    /// (0 when it already does).
    /// </summary>
    public int EndPaddingFor(long length, long target, int axis)
    {
        long begin = axis == 0 ? Padding.Top : Padding.Left, end = axis == 0 ? Padding.Bottom : Padding.Right;
        long needed = (target - 1) * _stride[axis] + _kernel[axis] - length - begin - end;
        return (int)Math.Max(0, needed);
    }

    private static (float[] Scale, float[] Shift) Affine(ConvSpec spec)
    {
        BatchNormSpec bn = spec.Norm;
        var scale = new float[spec.OutChannels];
        var shift = new float[spec.OutChannels];
        for (int o = 0; o < scale.Length; o++)
        {
            double s = bn.Scale[o] / Math.Sqrt((double)bn.Variance[o] + bn.Epsilon);
            // A conv bias b shifts the statistics' input: (conv + b − μ)·s + β.
            double bias = spec.Bias?[o] ?? 0.0;
            scale[o] = (float)s;
            shift[o] = (float)(bn.Shift[o] + (bias - bn.Mean[o]) * s);
        }
        return (scale, shift);
    }
}
