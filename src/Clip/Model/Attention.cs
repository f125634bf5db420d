using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// Multi-head self-attention with PyTorch <c>nn.MultiheadAttention</c>'s parameter layout (fused q,k,v input
/// projection, output projection), computed with scaled-dot-product attention. The input is cast to the weights'
/// dtype, so a float32 residual stream feeds half-precision weights; the output is in the weights' dtype.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor>
{
    private readonly int _heads;
    private readonly bool _causal;

#pragma warning disable IDE1006
    public readonly Parameter in_proj_weight;
    public readonly Parameter in_proj_bias;
    public readonly Linear out_proj;
#pragma warning restore IDE1006

    public Attention(int width, int heads, bool causal, ScalarType dtype, Device device) : base(nameof(Attention))
    {
        _heads = heads;
        _causal = causal;
        in_proj_weight = new Parameter(empty(3L * width, width, dtype, device));
        in_proj_bias = new Parameter(zeros(3L * width, dtype, device));
        nn.init.xavier_uniform_(in_proj_weight);
        out_proj = nn.Linear(width, width, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], l = x.shape[1], d = x.shape[2];
        var qkv = nn.functional.linear(x.to_type(in_proj_weight.dtype), in_proj_weight, in_proj_bias)
            .view(n, l, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4).contiguous();
        var o = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_casual: _causal);
        return out_proj.forward(o.transpose(1, 2).reshape(n, l, d)).MoveToOuterDisposeScope();
    }
}
