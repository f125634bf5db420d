namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// The one way AnomalyClip picks k few-shot references from a pool of normal images, used alike by <c>predict</c>,
/// <c>calibrate</c>, <c>test</c> and the demo: the candidates are sorted by full path (ordinal), shuffled with
/// <c>new System.Random(seed)</c>, the first k are kept, and they are returned in sorted order. Draws are without
/// replacement and per pool (a class's draw does not depend on the other classes), so
/// <c>predict --reference DATA/bottle/train/good --k 4 --seed 42</c> and <c>test --class-name bottle --k 4 --seed 42</c>
/// on the same data pick the same images.
/// </summary>
/// <remarks>APRIL-GAN draws with replacement from torch's RNG stream, which cannot be reproduced outside its Python run;
/// pass its <c>k_shot.txt</c> to reuse its exact choice.</remarks>
public static class ReferenceSampling
{
    /// <summary>k of <paramref name="candidates"/>, drawn as described above.</summary>
    /// <exception cref="ArgumentException">k is below 1, or larger than the pool, or a candidate repeats.</exception>
    public static IReadOnlyList<string> Choose(IReadOnlyList<string> candidates, int k, int seed)
    {
        var sorted = Sorted(candidates, k);
        new Random(seed).Shuffle(sorted);
        return Order(sorted.Take(k));
    }

    /// <summary>The first k of <paramref name="candidates"/> in sorted order (a fixed, seed-free protocol for benchmarks).</summary>
    /// <exception cref="ArgumentException">k is below 1, or larger than the pool, or a candidate repeats.</exception>
    public static IReadOnlyList<string> First(IReadOnlyList<string> candidates, int k) => Sorted(candidates, k)[..k];

    private static string[] Sorted(IReadOnlyList<string> candidates, int k)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}");
        if (k > candidates.Count)
            throw new ArgumentException($"k = {k} references asked for, but only {candidates.Count} normal image(s) to choose from");
        var sorted = Order(candidates);
        for (int i = 1; i < sorted.Length; i++)
            if (Path.GetFullPath(sorted[i]) == Path.GetFullPath(sorted[i - 1])) throw new ArgumentException($"reference candidate {sorted[i]} is listed twice");
        return sorted;
    }

    private static string[] Order(IEnumerable<string> paths) => paths.OrderBy(Path.GetFullPath, StringComparer.Ordinal).ToArray();
}
