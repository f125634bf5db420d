using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

/// <summary>Bit-exact comparison of state dicts.</summary>
internal static class WeightAssert
{
    /// <summary>Same key set, and per key the same dtype, shape and raw bytes.</summary>
    public static void BitIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, e) in expected) Tensor(e, actual[key], key);
    }

    /// <summary>
    /// The golden safetensors files store <c>logit_scale</c> as shape [1] (the .bin and the manifest have it 0-d);
    /// WeightFile returns it 0-d, so expectations built from those files are reshaped the same way.
    /// </summary>
    public static Dictionary<string, Tensor> WithScalarLogitScale(Dictionary<string, Tensor> d)
    {
        var copy = new Dictionary<string, Tensor>(d);
        if (copy.TryGetValue("logit_scale", out var s)) copy["logit_scale"] = s.reshape([]);
        return copy;
    }

    public static void Tensor(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.dtype == actual.dtype, $"{what}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.shape)}]");
        Assert.True(TorchArchiveWriter.Bytes(expected).AsSpan().SequenceEqual(TorchArchiveWriter.Bytes(actual)), $"{what}: bytes differ");
    }
}
