using TorchSharp;
using TorchSharp.Modules;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// CLIP's vision tower (OpenCLIP <c>VisionTransformer</c>): patch convolution, class token, positional embedding,
/// ln_pre, blocks, ln_post on the class token, projection. Runs at one input side fixed at construction.
/// </summary>
public sealed class VisionTransformer : nn.Module
{
#pragma warning disable IDE1006
    internal readonly Conv2d conv1;
    internal readonly Parameter class_embedding;
    internal readonly Parameter positional_embedding;
    internal readonly ClipLayerNorm ln_pre;
    internal readonly Transformer transformer;
    internal readonly ClipLayerNorm ln_post;
    internal readonly Parameter proj;
#pragma warning restore IDE1006

    internal VisionTransformer(VisionConfig cfg, int embedDim, int imageSize, Activation activation, ScalarType dtype, Device device) : base(nameof(VisionTransformer))
    {
        if (imageSize <= 0 || imageSize % cfg.PatchSize != 0)
            throw new ArgumentException($"image size {imageSize} is not a positive multiple of the patch size {cfg.PatchSize}", nameof(imageSize));
        Config = cfg;
        ImageSize = imageSize;
        Grid = imageSize / cfg.PatchSize;
        double scale = Math.Pow(cfg.Width, -0.5);
        conv1 = nn.Conv2d(3, cfg.Width, cfg.PatchSize, stride: cfg.PatchSize, bias: false, device: device, dtype: dtype);
        class_embedding = new Parameter(randn(cfg.Width, dtype, device).mul_(scale));
        positional_embedding = new Parameter(randn(1L + Grid * Grid, cfg.Width, dtype, device).mul_(scale));
        ln_pre = new ClipLayerNorm(cfg.Width, device);
        transformer = new Transformer(cfg.Width, cfg.Layers, cfg.Heads, cfg.MlpWidth, activation, causal: false, dtype, device);
        ln_post = new ClipLayerNorm(cfg.Width, device);
        proj = new Parameter(randn(cfg.Width, embedDim, dtype, device).mul_(scale));
        RegisterComponents();
    }

    /// <summary>The tower's shape.</summary>
    public VisionConfig Config { get; }

    /// <summary>Input side in pixels this instance runs at.</summary>
    public int ImageSize { get; }

    /// <summary>Patch grid side G = ImageSize / PatchSize; token sequences are 1 + G² long.</summary>
    public int Grid { get; }

    /// <summary>Number of transformer blocks.</summary>
    public int Layers => transformer.Layers;

    /// <summary>
    /// Encodes normalised images [N,3,S,S]. Returns the pooled projected embedding [N,E] (null when
    /// <paramref name="pooled"/> is false, which lets the pass stop at the deepest tap) and the raw residual stream
    /// [N,1+G²,W] after each requested 1-based block (CLS first; no ln_post, no projection).
    /// </summary>
    internal (Tensor? Pooled, Tensor[] Tokens) Forward(Tensor images, IReadOnlyList<int> taps, bool pooled)
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != ImageSize || images.shape[3] != ImageSize)
            throw new ArgumentException($"expected images [N,3,{ImageSize},{ImageSize}], got [{string.Join(",", images.shape)}]", nameof(images));
        foreach (var t in taps)
            if (t < 1 || t > Layers) throw new ArgumentOutOfRangeException(nameof(taps), $"tap {t} is outside blocks 1..{Layers}");
        using var scope = NewDisposeScope();
        // The patch embedding is a GEMM in the compute dtype; the residual stream from here on is float32.
        var x = conv1.forward(images.to_type(conv1.weight!.dtype)).to_type(ScalarType.Float32);
        long n = x.shape[0], w = x.shape[1];
        x = x.reshape(n, w, -1).permute(0, 2, 1);
        var cls = class_embedding.to_type(x.dtype).expand(n, 1, w);
        x = cat([cls, x], 1) + positional_embedding.to_type(x.dtype);
        x = ln_pre.forward(x);
        int last = pooled ? Layers : taps.DefaultIfEmpty(0).Max();
        var final = transformer.Run(x, taps, last, out var tapped);
        Tensor? p = null;
        if (pooled)
        {
            p = ln_post.forward(final[.., 0, ..]).matmul(proj.to_type(ScalarType.Float32)).MoveToOuterDisposeScope();
        }
        foreach (var t in tapped.Distinct()) t.MoveToOuterDisposeScope();
        return (p, tapped);
    }
}
