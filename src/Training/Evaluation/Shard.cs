using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> (0-based, written <c>i/n</c>) of a run split over several
/// processes or machines. A shard takes one contiguous block of a list in a fixed order (<see cref="Range"/>), so the
/// <see cref="Count"/> shards of a list cover every item exactly once, and a shard's part depends only on the list,
/// <see cref="Index"/> and <see cref="Count"/>.
/// </summary>
[JsonConverter(typeof(ShardJsonConverter))]
public readonly record struct Shard
{
    /// <summary>Creates shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1, or <paramref name="index"/> is not in [0, count).</exception>
    public Shard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, $"a shard index must be in [0, {count})");
        Index = index;
        Count = count;
    }

    /// <summary>The 0-based index of this shard.</summary>
    public int Index { get; }

    /// <summary>How many shards the run is split into.</summary>
    public int Count { get; }

    /// <summary>Parses <c>i/n</c> with 0 ≤ i &lt; n.</summary>
    /// <exception cref="ArgumentException">The text is not of that form.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n >= 1 && i < n)
            return new Shard(i, n);
        throw new ArgumentException($"shard '{text}' is not i/n with 0 ≤ i < n (e.g. 0/4 for the first of four)");
    }

    /// <summary>
    /// This shard's block of a list of <paramref name="total"/> items: positions [Start, End), with
    /// Start = ⌊total·i/n⌋ and End = ⌊total·(i+1)/n⌋, so block sizes differ by at most one and a shard may be empty
    /// when there are fewer items than shards.
    /// </summary>
    public (int Start, int End) Range(int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        return ((int)((long)total * Index / Count), (int)((long)total * (Index + 1) / Count));
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>
    /// Checks that <paramref name="shards"/> are all the shards of one split, each given once: the same
    /// <see cref="Count"/>, and every index from 0 to n − 1 exactly once.
    /// </summary>
    /// <param name="shards">Each shard with the folder it was read from (named in the errors).</param>
    /// <exception cref="ArgumentException">No shard is given.</exception>
    /// <exception cref="InvalidDataException">The shards come from splits of different sizes, one is given twice, or some are missing.</exception>
    public static void CheckComplete(IReadOnlyList<(Shard Shard, string Directory)> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0) throw new ArgumentException("give the output folder of every shard");
        var first = shards[0];
        var other = shards.FirstOrDefault(s => s.Shard.Count != first.Shard.Count);
        if (other.Directory is not null)
            throw new InvalidDataException($"{first.Directory} is shard {first.Shard} but {other.Directory} is shard {other.Shard}: shards of different splits");
        var byIndex = new Dictionary<int, string>();
        foreach (var (shard, dir) in shards)
            if (!byIndex.TryAdd(shard.Index, dir))
                throw new InvalidDataException($"{byIndex[shard.Index]} and {dir} are both shard {shard}: each shard's output must be given once");
        var missing = Enumerable.Range(0, first.Shard.Count).Where(i => !byIndex.ContainsKey(i)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"shard(s) {string.Join(", ", missing.Select(i => new Shard(i, first.Shard.Count)))} missing: give the output folders of all {first.Shard.Count} shards");
    }

    /// <summary>
    /// A fingerprint of a run's whole input list (SHA-256 of the items joined by line feeds, lowercase hex), recorded
    /// by every shard so a merge can tell that all shards saw the same inputs.
    /// </summary>
    public static string Fingerprint(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var text = new StringBuilder();
        foreach (var item in items) text.Append(item).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
