using TorchSharp;
using TorchSharp.Modules;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// CLIP's text tower: token embedding, positional embedding, causally masked blocks, ln_final, pooling at the first
/// end-of-text token (the largest id), projection.
/// </summary>
public sealed class TextTransformer : nn.Module
{
#pragma warning disable IDE1006
    internal readonly Embedding token_embedding;
    internal readonly Parameter positional_embedding;
    internal readonly Transformer transformer;
    internal readonly ClipLayerNorm ln_final;
    internal readonly Parameter text_projection;
#pragma warning restore IDE1006

    internal TextTransformer(TextConfig cfg, int embedDim, Activation activation, ScalarType dtype, Device device) : base(nameof(TextTransformer))
    {
        Config = cfg;
        token_embedding = nn.Embedding(cfg.VocabSize, cfg.Width, device: device, dtype: dtype);
        positional_embedding = new Parameter(randn(cfg.ContextLength, cfg.Width, dtype, device).mul_(0.01));
        transformer = new Transformer(cfg.Width, cfg.Layers, cfg.Heads, cfg.MlpWidth, activation, causal: true, dtype, device);
        ln_final = new ClipLayerNorm(cfg.Width, device);
        text_projection = new Parameter(randn(cfg.Width, embedDim, dtype, device).mul_(Math.Pow(cfg.Width, -0.5)));
        RegisterComponents();
    }

    /// <summary>The tower's shape.</summary>
    public TextConfig Config { get; }

    /// <summary>Encodes token ids [N, ContextLength] (int64) to projected, unnormalised embeddings [N,E].</summary>
    internal Tensor Forward(Tensor tokenIds)
    {
        if (tokenIds.dim() != 2 || tokenIds.shape[1] != Config.ContextLength)
            throw new ArgumentException($"expected token ids [N,{Config.ContextLength}], got [{string.Join(",", tokenIds.shape)}]", nameof(tokenIds));
        using var scope = NewDisposeScope();
        var ids = tokenIds.to(token_embedding.weight!.device).to_type(ScalarType.Int64);
        // A float32 residual stream whatever the weights' dtype (see ResidualAttentionBlock).
        var x = token_embedding.forward(ids).to_type(ScalarType.Float32) + positional_embedding.to_type(ScalarType.Float32);
        x = ln_final.forward(transformer.forward(x));
        var eot = ids.argmax(-1);
        var pooled = x[arange(x.shape[0], device: x.device), eot];
        return pooled.matmul(text_projection.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
    }
}
