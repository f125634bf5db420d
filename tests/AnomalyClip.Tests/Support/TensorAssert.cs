using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Support;

/// <summary>Assertions on tensors with absolute tolerances, reporting the worst element.</summary>
public static class TensorAssert
{
    /// <summary>Asserts equal shapes and max |actual − expected| ≤ <paramref name="atol"/> (compared in float64).</summary>
    public static void Close(Tensor expected, Tensor actual, double atol, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.detach().cpu().to_type(ScalarType.Float64);
        using var a = actual.detach().cpu().to_type(ScalarType.Float64);
        using var diff = (a - e).abs();
        double max = diff.numel() == 0 ? 0 : diff.max().item<double>();
        Assert.True(max <= atol, $"{what}: max abs diff {max:E3} > {atol:E1} (at flat index {(diff.numel() == 0 ? -1 : diff.argmax().item<long>())})");
    }

    /// <summary>Asserts equal shapes and identical integer values.</summary>
    public static void Equal(Tensor expected, Tensor actual, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.detach().cpu().to_type(ScalarType.Int64);
        using var a = actual.detach().cpu().to_type(ScalarType.Int64);
        using var ne = e.ne(a);
        long bad = ne.sum().item<long>();
        Assert.True(bad == 0, $"{what}: {bad} elements differ (first at flat index {(bad == 0 ? -1 : ne.to_type(ScalarType.Int64).argmax().item<long>())})");
    }
}
