using TorchSharp;
using TorchSharp.Modules;
using AnomalyClip.Clip.Config;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// The transformer block's MLP: c_fc (D→hidden), activation, c_proj (hidden→D), in the weights' dtype whatever the
/// input's (as <see cref="Attention"/>).
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Activation _activation;

#pragma warning disable IDE1006
    public readonly Linear c_fc;
    public readonly Linear c_proj;
#pragma warning restore IDE1006

    public Mlp(int width, int hidden, Activation activation, ScalarType dtype, Device device) : base(nameof(Mlp))
    {
        _activation = activation;
        c_fc = nn.Linear(width, hidden, device: device, dtype: dtype);
        c_proj = nn.Linear(hidden, width, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var input = x.to_type(c_fc.weight!.dtype);
        using var h = c_fc.forward(input);
        using var a = _activation == Activation.QuickGelu ? QuickGelu(h) : nn.functional.gelu(h);
        return c_proj.forward(a);
    }

    private static Tensor QuickGelu(Tensor x)
    {
        using var s = (x * 1.702).sigmoid_();
        return x * s;
    }
}
