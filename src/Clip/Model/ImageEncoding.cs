using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>What the vision tower computed for a batch; owns its tensors.</summary>
public sealed class ImageEncoding : IDisposable
{
    internal ImageEncoding(Tensor? pooled, IReadOnlyList<int> taps, Tensor[] tokens)
    {
        Pooled = pooled;
        Taps = taps;
        Tokens = tokens;
    }

    /// <summary>ln_post(CLS after the last block) · proj, [N,E], unnormalised, float32; null when not requested.</summary>
    public Tensor? Pooled { get; }

    /// <summary>The 1-based block numbers of <see cref="Tokens"/>, in order.</summary>
    public IReadOnlyList<int> Taps { get; }

    /// <summary>Raw residual stream after each tapped block, [N, 1+G², W], float32 whatever the compute dtype, CLS first (no ln_post, no projection).</summary>
    public IReadOnlyList<Tensor> Tokens { get; }

    /// <summary>Moves the tensors out of the current dispose scope (for results kept beyond it).</summary>
    public ImageEncoding MoveToOuterDisposeScope()
    {
        Pooled?.MoveToOuterDisposeScope();
        foreach (var t in Tokens.Distinct()) t.MoveToOuterDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Pooled?.Dispose();
        foreach (var t in Tokens.Distinct()) t.Dispose();
    }
}
