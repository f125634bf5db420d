using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Optimization;

/// <summary>
/// Adam exactly as PyTorch's single-tensor implementation (no weight decay, no amsgrad), with its whole state
/// (step, first and second moments) exposed so a checkpoint can save it and a resumed run continue bit-for-bit.
/// </summary>
public sealed class AdamOptimizer : IDisposable
{
    private readonly (string Name, Parameter Param)[] _params;
    private readonly Dictionary<string, Tensor> _expAvg = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _expAvgSq = new(StringComparer.Ordinal);

    /// <summary>Creates the optimizer over named parameters with zero moments.</summary>
    public AdamOptimizer(IEnumerable<(string Name, Parameter Param)> parameters, double lr = 1e-3, double beta1 = 0.5, double beta2 = 0.999, double eps = 1e-8)
    {
        _params = parameters.ToArray();
        LearningRate = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        foreach (var (name, p) in _params)
        {
            _expAvg[name] = zeros_like(p).DetachFromDisposeScope();
            _expAvgSq[name] = zeros_like(p).DetachFromDisposeScope();
        }
    }

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; }

    /// <summary>First-moment decay (APRIL-GAN: 0.5).</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator epsilon.</summary>
    public double Eps { get; }

    /// <summary>Optimizer steps taken.</summary>
    public long Step { get; private set; }

    /// <summary>First moments by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> ExpAvg => _expAvg;

    /// <summary>Second moments by parameter name.</summary>
    public IReadOnlyDictionary<string, Tensor> ExpAvgSq => _expAvgSq;

    /// <summary>Clears the gradients.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in _params) p.grad?.zero_();
    }

    /// <summary>Applies one update from the current gradients.</summary>
    public void StepOnce()
    {
        using var _ = no_grad();
        Step++;
        double bc1 = 1 - Math.Pow(Beta1, Step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, Step));
        foreach (var (name, p) in _params)
        {
            var grad = p.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var m = _expAvg[name];
            var v = _expAvgSq[name];
            m.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
            var denom = (v.sqrt() / bc2Sqrt).add_(Eps);
            p.addcdiv_(m, denom, value: -LearningRate / bc1);
        }
    }

    /// <summary>Restores a saved state (step count and moments by name).</summary>
    public void Restore(long step, IReadOnlyDictionary<string, Tensor> expAvg, IReadOnlyDictionary<string, Tensor> expAvgSq)
    {
        using var _ = no_grad();
        Step = step;
        foreach (var (name, _) in _params)
        {
            _expAvg[name].copy_(expAvg[name]);
            _expAvgSq[name].copy_(expAvgSq[name]);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _expAvg.Values.Concat(_expAvgSq.Values)) t.Dispose();
    }
}
