using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyClip.Adapter.Projection;

/// <summary>
/// APRIL-GAN's trainable "linear layers": one <c>Linear(W → E)</c> with bias per tapped ViT block, mapping patch
/// tokens (CLS dropped, raw residual stream) into the joint image-text space; outputs are L2-normalised.
/// </summary>
public sealed class PatchProjector : nn.Module
{
#pragma warning disable IDE1006
    // Named as APRIL-GAN's LinearLayer so state-dict keys are fc.{i}.weight / fc.{i}.bias.
    internal readonly ModuleList<Linear> fc;
#pragma warning restore IDE1006

    /// <summary>Creates a projector with PyTorch's default Linear initialisation.</summary>
    /// <param name="inputWidth">ViT width W of the tapped tokens.</param>
    /// <param name="embedDim">Joint embedding size E.</param>
    /// <param name="layers">Number of tapped blocks (one linear layer each).</param>
    /// <param name="device">Device for the parameters (CPU when null).</param>
    public PatchProjector(int inputWidth, int embedDim, int layers, Device? device = null) : base(nameof(PatchProjector))
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), "at least one layer");
        InputWidth = inputWidth;
        EmbedDim = embedDim;
        fc = new ModuleList<Linear>();
        for (int i = 0; i < layers; i++) fc.Add(nn.Linear(inputWidth, embedDim, hasBias: true));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>ViT width W the layers take.</summary>
    public int InputWidth { get; }

    /// <summary>Joint embedding size E the layers produce.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of linear layers (= tapped blocks).</summary>
    public int Layers => fc.Count;

    /// <summary>Device of the parameters.</summary>
    public Device Device => fc[0].weight!.device;

    /// <summary>
    /// Linear outputs before normalisation: for each layer i, fc[i](tokens[i][:, 1:, :]) → [N, G², E].
    /// </summary>
    /// <param name="tokens">Tapped tokens [N, 1+G², W] (CLS first), one per layer, in layer order.</param>
    public Tensor[] ProjectRaw(IReadOnlyList<Tensor> tokens)
    {
        CheckInputs(tokens);
        var result = new Tensor[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            using var patches = tokens[i][.., 1.., ..];
            using var input = patches.to(Device).to_type(fc[i].weight!.dtype);
            result[i] = fc[i].forward(input);
        }
        return result;
    }

    /// <summary>
    /// Projected, L2-normalised patch features F̂ = F / ‖F‖ (plain division, as the reference), [N, G², E] per layer.
    /// </summary>
    public Tensor[] Project(IReadOnlyList<Tensor> tokens)
    {
        var raw = ProjectRaw(tokens);
        for (int i = 0; i < raw.Length; i++)
        {
            using var f = raw[i];
            using var norm = f.norm(-1, keepdim: true);
            raw[i] = f / norm;
        }
        return raw;
    }

    private void CheckInputs(IReadOnlyList<Tensor> tokens)
    {
        if (tokens.Count != Layers)
            throw new ArgumentException($"projector has {Layers} layers but got tokens of {tokens.Count} blocks", nameof(tokens));
        foreach (var t in tokens)
            if (t.dim() != 3 || t.shape[2] != InputWidth)
                throw new ArgumentException($"tokens must be [N, 1+G², {InputWidth}], got [{string.Join(",", t.shape)}]", nameof(tokens));
    }
}
