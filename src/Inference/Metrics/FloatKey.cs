namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Maps float32 scores to unsigned integers whose unsigned order equals the numeric order of the floats, so that
/// the metrics can sort and group scores with integer radix passes.
/// </summary>
internal static class FloatKey
{
    /// <summary>The key of a finite float. −0 and +0 share one key because they are the same score to a metric.</summary>
    public static uint From(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value == 0f ? 0f : value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    /// <summary>The float a key came from (+0 for the zero key).</summary>
    public static float ToFloat(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key);
}
