namespace AnomalyClip.Inference.Metrics;

/// <summary>
/// In-place MSD radix sort (American flag sort) of 32-bit keys, optionally carrying an int payload. Digits are
/// 16, 8 and 8 bits wide; small buckets fall back to introsort.
/// </summary>
/// <remarks>
/// Pooled pixel scores of one class are ~54 M values; an out-of-place LSD sort would need a second buffer of the
/// same size, and a comparison sort is several times slower. This sort needs only a few small count tables.
/// </remarks>
internal static class KeyRadixSort
{
    private const int SmallBucket = 64;

    /// <summary>Sorts <paramref name="keys"/> ascending.</summary>
    public static void Sort(Span<uint> keys) => SortLevel(keys, Span<int>.Empty, 16, 16);

    /// <summary>Sorts <paramref name="keys"/> ascending and applies the same permutation to <paramref name="items"/>.</summary>
    public static void Sort(Span<uint> keys, Span<int> items)
    {
        if (items.Length != keys.Length) throw new ArgumentException($"{items.Length} items for {keys.Length} keys", nameof(items));
        SortLevel(keys, items, 16, 16);
    }

    private static void SortLevel(Span<uint> keys, Span<int> items, int shift, int bits)
    {
        bool carry = !items.IsEmpty;
        if (keys.Length <= SmallBucket)
        {
            if (carry) keys.Sort(items);
            else keys.Sort();
            return;
        }

        int radix = 1 << bits;
        uint digitMask = (uint)radix - 1;
        // Only the single top-level pass uses 16-bit digits; deeper passes are frequent and stay on the stack.
        Span<int> counts = bits <= 8 ? stackalloc int[radix] : new int[radix];
        Span<int> next = bits <= 8 ? stackalloc int[radix] : new int[radix];
        Span<int> end = bits <= 8 ? stackalloc int[radix] : new int[radix];
        foreach (uint k in keys) counts[(int)((k >> shift) & digitMask)]++;

        int sum = 0;
        for (int d = 0; d < radix; d++)
        {
            next[d] = sum;
            sum += counts[d];
            end[d] = sum;
        }

        // Cycle leader permutation: each element is swapped straight into the next free slot of its bucket.
        for (int d = 0; d < radix; d++)
        {
            while (next[d] < end[d])
            {
                uint k = keys[next[d]];
                int item = carry ? items[next[d]] : 0;
                int target = (int)((k >> shift) & digitMask);
                while (target != d)
                {
                    int slot = next[target]++;
                    (k, keys[slot]) = (keys[slot], k);
                    if (carry) (item, items[slot]) = (items[slot], item);
                    target = (int)((k >> shift) & digitMask);
                }
                keys[next[d]] = k;
                if (carry) items[next[d]] = item;
                next[d]++;
            }
        }

        if (shift == 0) return;
        int nextBits = Math.Min(8, shift);
        int start = 0;
        for (int d = 0; d < radix; d++)
        {
            int length = counts[d];
            if (length > 1)
                SortLevel(keys.Slice(start, length), carry ? items.Slice(start, length) : Span<int>.Empty,
                          shift - nextBits, nextBits);
            start += length;
        }
    }
}
