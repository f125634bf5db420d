using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// The manifest of one finished shard of <c>predict --shard i/n</c>, written last as shard.json into the shard's
/// --out folder: which of the run's inputs it covered (indices into the run's expanded input list), each input's row
/// or why it was skipped, and what every shard of one run must share (inputs, settings, references). The merge
/// rebuilds the unsharded results.csv, maps.safetensors and skipped.txt from it.
/// </summary>
internal sealed record PredictShard
{
    public const string KindName = "predict";
    private const int CurrentFormat = 1;

    public string Kind { get; init; } = KindName;
    public int Format { get; init; } = CurrentFormat;
    public required Shard Shard { get; init; }

    /// <summary>Inputs of the whole run (the expanded image files).</summary>
    public required int InputsTotal { get; init; }

    /// <summary><see cref="Shard.Fingerprint"/> of the run's inputs as sorted full paths.</summary>
    public required string InputsFingerprint { get; init; }

    public required SortedDictionary<string, string> Settings { get; init; }

    /// <summary>The few-shot references picked (the same in every shard), or null.</summary>
    public required IReadOnlyList<string>? References { get; init; }

    /// <summary>Whether results.csv gets transductive scores, which only the merge can compute (the shard's CSV has the per-image ones).</summary>
    public required bool Transductive { get; init; }

    /// <summary>The image threshold that labels results.csv, or null.</summary>
    public required double? ImageThreshold { get; init; }

    /// <summary>Whether the shard wrote maps.safetensors.</summary>
    public required bool Maps { get; init; }

    /// <summary>The run's input indices this shard covered, ascending: each has a result or a skip.</summary>
    public required IReadOnlyList<int> Inputs { get; init; }

    public required IReadOnlyList<PredictShardResult> Results { get; init; }
    public required IReadOnlyList<PredictShardSkip> Skipped { get; init; }

    /// <summary>
    /// The inputs of <paramref name="shard"/>, as indices into <paramref name="files"/> in ascending order: its block
    /// of the files sorted by full path, so the partition depends on the set of inputs only, not on the order given.
    /// </summary>
    public static int[] Part(IReadOnlyList<string> files, Shard shard)
    {
        var sorted = Enumerable.Range(0, files.Count).OrderBy(i => Path.GetFullPath(files[i]), StringComparer.Ordinal).ToArray();
        var (start, end) = shard.Range(files.Count);
        return sorted[start..end].Order().ToArray();
    }

    /// <summary>The fingerprint of a run's inputs: their sorted full paths.</summary>
    public static string FingerprintOf(IReadOnlyList<string> files) => Shard.Fingerprint(files.Select(Path.GetFullPath).Order(StringComparer.Ordinal));

    /// <summary>Reads the manifest of a predict shard's folder.</summary>
    /// <exception cref="InvalidDataException">No manifest (the shard did not finish), or not a predict shard's.</exception>
    public static PredictShard Read(string directory) => ShardManifest.Read<PredictShard>(directory, KindName, CurrentFormat);

    /// <summary>Writes the manifest into <paramref name="directory"/>, atomically (the last file a shard writes).</summary>
    public void Write(string directory) => ShardManifest.Write(directory, this);
}

/// <summary>The row of input <paramref name="Index"/> of the run.</summary>
internal sealed record PredictShardResult(int Index, PredictionRow Row);

/// <summary>Input <paramref name="Index"/> of the run, unreadable.</summary>
internal sealed record PredictShardSkip(int Index, string File, string Reason);
