namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// Pixel score keys of one class in one array: GT-negative pixels fill it from the front, GT-positive pixels from
/// the back. Labels therefore cost no memory, and with the right capacity up front the store is exactly 4 bytes
/// per pixel with no copy at the end (a doubling list plus a final consolidation would peak at twice that).
/// </summary>
internal sealed class PixelKeyStore
{
    private uint[] _keys;

    /// <summary>Creates a store with room for <paramref name="capacity"/> pixels (it grows by half when exceeded).</summary>
    public PixelKeyStore(long capacity)
    {
        if (capacity < 0 || capacity > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"must be in [0, {Array.MaxLength}]");
        _keys = capacity == 0 ? [] : GC.AllocateUninitializedArray<uint>((int)capacity);
    }

    /// <summary>Number of GT-negative pixels stored.</summary>
    public int NegativeCount { get; private set; }

    /// <summary>Number of GT-positive pixels stored.</summary>
    public int PositiveCount { get; private set; }

    /// <summary>Keys of the GT-negative pixels, in the order added (until sorted in place by the caller).</summary>
    public Span<uint> Negatives => _keys.AsSpan(0, NegativeCount);

    /// <summary>Keys of the GT-positive pixels, in the order added (until sorted in place by the caller).</summary>
    public Span<uint> Positives => _keys.AsSpan(_keys.Length - PositiveCount, PositiveCount);

    /// <summary>Appends one image's keys.</summary>
    public void Add(ReadOnlySpan<uint> negatives, ReadOnlySpan<uint> positives)
    {
        long needed = (long)NegativeCount + PositiveCount + negatives.Length + positives.Length;
        if (needed > _keys.Length) Grow(needed);
        negatives.CopyTo(_keys.AsSpan(NegativeCount));
        NegativeCount += negatives.Length;
        positives.CopyTo(_keys.AsSpan(_keys.Length - PositiveCount - positives.Length));
        PositiveCount += positives.Length;
    }

    private void Grow(long needed)
    {
        if (needed > Array.MaxLength)
            throw new InvalidOperationException($"{needed} pixels exceed the {Array.MaxLength} one class can pool");
        long capacity = Math.Min(Math.Max(needed, _keys.Length + _keys.Length / 2L), Array.MaxLength);
        var grown = GC.AllocateUninitializedArray<uint>((int)capacity);
        Negatives.CopyTo(grown);
        Positives.CopyTo(grown.AsSpan(grown.Length - PositiveCount));
        _keys = grown;
    }
}
