using TorchSharp;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// Pre-LN transformer block: x += attn(ln_1(x)); x += mlp(ln_2(x)). A float32 stream stays float32 with half-precision
/// weights (the branch outputs are promoted when added), as under PyTorch autocast: rounding the stream itself to
/// bf16 after every block is what moves the few-shot maps most.
/// </summary>
internal sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public readonly ClipLayerNorm ln_1;
    public readonly Attention attn;
    public readonly ClipLayerNorm ln_2;
    public readonly Mlp mlp;
#pragma warning restore IDE1006

    public ResidualAttentionBlock(int width, int heads, int mlpWidth, Activation activation, bool causal, ScalarType dtype, Device device) : base(nameof(ResidualAttentionBlock))
    {
        ln_1 = new ClipLayerNorm(width, device);
        attn = new Attention(width, heads, causal, dtype, device);
        ln_2 = new ClipLayerNorm(width, device);
        mlp = new Mlp(width, mlpWidth, activation, dtype, device);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = x + attn.forward(ln_1.forward(x));
        return (h + mlp.forward(ln_2.forward(h))).MoveToOuterDisposeScope();
    }
}
