using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// LayerNorm (eps 1e-5) whose parameters stay float32 and which normalises in float32 whatever the activation dtype,
/// as OpenCLIP's <c>LayerNormFp32</c>: half-precision models keep their normalisation statistics exact.
/// </summary>
internal sealed class ClipLayerNorm : nn.Module<Tensor, Tensor>
{
    private const double Eps = 1e-5;
    private readonly long[] _shape;

    // Field names are the state-dict key suffixes.
#pragma warning disable IDE1006
    public readonly Parameter weight;
    public readonly Parameter bias;
#pragma warning restore IDE1006

    public ClipLayerNorm(long width, Device device) : base(nameof(ClipLayerNorm))
    {
        _shape = [width];
        weight = new Parameter(ones(width, ScalarType.Float32, device));
        bias = new Parameter(zeros(width, ScalarType.Float32, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (x.dtype == ScalarType.Float32) return nn.functional.layer_norm(x, _shape, weight, bias, Eps);
        using var y = nn.functional.layer_norm(x.to_type(ScalarType.Float32), _shape, weight, bias, Eps);
        return y.to_type(x.dtype);
    }
}
