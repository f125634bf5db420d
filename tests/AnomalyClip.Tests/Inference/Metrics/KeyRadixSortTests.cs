using AnomalyClip.Inference.Metrics;
using Xunit;

namespace AnomalyClip.Tests.Inference.Metrics;

/// <summary>The in-place radix sort and the float→key order it relies on.</summary>
public class KeyRadixSortTests
{
    [Fact]
    public void FloatKeysOrderLikeTheFloats()
    {
        float[] values = [float.MinValue, -3.5f, -1e-40f, -0f, 0f, 1e-45f, 1e-40f, 0.25f, 0.2500001f, 7f, float.MaxValue];
        for (int i = 1; i < values.Length; i++)
        {
            uint a = FloatKey.From(values[i - 1]), b = FloatKey.From(values[i]);
            if (values[i - 1] == values[i]) Assert.Equal(a, b); else Assert.True(a < b, $"{values[i - 1]} vs {values[i]}");
        }
        foreach (float v in values) Assert.Equal(v == 0 ? 0f : v, FloatKey.ToFloat(FloatKey.From(v)));
        Assert.Equal(BitConverter.SingleToUInt32Bits(0f), BitConverter.SingleToUInt32Bits(FloatKey.ToFloat(FloatKey.From(-0f))));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(50, 1000)]           // below the introsort cutoff
    [InlineData(300_000, 1 << 30)]   // all three digit levels
    [InlineData(300_000, 37)]        // heavy duplicates
    public void SortsLikeArraySort(int n, int range)
    {
        var rng = new Random(n + range);
        var keys = new uint[n];
        for (int i = 0; i < n; i++) keys[i] = (uint)rng.Next(range) * 3u + 0x4000_0000u;
        var expected = (uint[])keys.Clone();
        Array.Sort(expected);
        KeyRadixSort.Sort(keys);
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void PayloadFollowsItsKey()
    {
        var rng = new Random(7);
        int n = 200_000;
        var keys = new uint[n];
        var items = new int[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = FloatKey.From(rng.NextSingle() * 4 - 1);
            items[i] = i;
        }
        var original = (uint[])keys.Clone();
        KeyRadixSort.Sort(keys, items);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(original[items[i]], keys[i]);
            if (i > 0) Assert.True(keys[i - 1] <= keys[i]);
        }
        Assert.Equal(Enumerable.Range(0, n), items.Order());
    }

    [Fact]
    public void PayloadLengthMustMatch() =>
        Assert.Throws<ArgumentException>(() => KeyRadixSort.Sort(new uint[3], new int[2]));
}
