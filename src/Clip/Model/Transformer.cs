using TorchSharp;
using TorchSharp.Modules;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>A stack of residual attention blocks that can hand out the residual stream after chosen blocks.</summary>
internal sealed class Transformer : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    public readonly ModuleList<ResidualAttentionBlock> resblocks;
#pragma warning restore IDE1006

    public Transformer(int width, int layers, int heads, int mlpWidth, Activation activation, bool causal, ScalarType dtype, Device device) : base(nameof(Transformer))
    {
        resblocks = new ModuleList<ResidualAttentionBlock>();
        for (int i = 0; i < layers; i++) resblocks.Add(new ResidualAttentionBlock(width, heads, mlpWidth, activation, causal, dtype, device));
        RegisterComponents();
    }

    public int Layers => resblocks.Count;

    public override Tensor forward(Tensor x) => Run(x, [], Layers, out _);

    /// <summary>
    /// Runs blocks 1..<paramref name="lastBlock"/> and returns the stream after the last one; <paramref name="tapped"/>
    /// receives the stream after each 1-based block in <paramref name="taps"/>, in the order given. The returned and
    /// tapped streams belong to the caller's dispose scope; the others are freed as soon as the next block has run.
    /// </summary>
    public Tensor Run(Tensor x, IReadOnlyList<int> taps, int lastBlock, out Tensor[] tapped)
    {
        tapped = new Tensor[taps.Count];
        var current = x;
        for (int block = 1; block <= lastBlock; block++)
        {
            var next = resblocks[block - 1].forward(current);
            // A stream that is neither the input nor a tap is dead once the next block has read it; left to the
            // caller's scope, all 24 of a ViT-L at 518 px (5.6 MB each) would stay resident until the pass ends.
            if (!ReferenceEquals(current, x) && !Array.Exists(tapped, t => ReferenceEquals(t, current))) current.Dispose();
            current = next;
            for (int t = 0; t < taps.Count; t++)
                if (taps[t] == block) tapped[t] = current;
        }
        return current;
    }
}
