using AnomalyClip.Clip.IO;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Combines the shards of one <c>predict</c> run into the folder the unsharded run writes: results.csv (rows in the
/// run's input order; transductive scores and labels computed here, over all rows), maps.safetensors (maps in the
/// same order, so the file is the unsharded one byte for byte), skipped.txt, k_shot.txt and the pictures.
/// </summary>
internal static class PredictMerge
{
    /// <summary>The picture folders a predict run writes per image.</summary>
    public static readonly string[] PictureFolders = ["overlays", "masks", "contours"];

    /// <summary>Merges <paramref name="shardDirectories"/> into <paramref name="outDir"/>; returns the number of rows and of skipped inputs.</summary>
    /// <exception cref="InvalidDataException">Shards are unfinished, missing, given twice, of different runs, or overlap.</exception>
    public static (int Rows, int Skipped) Merge(IReadOnlyList<string> shardDirectories, string outDir)
    {
        var shards = shardDirectories.Select(d => (Directory: Path.GetFullPath(d), Manifest: PredictShard.Read(d))).ToArray();
        Shard.CheckComplete(shards.Select(s => (s.Manifest.Shard, s.Directory)).ToArray());
        var (firstDir, run) = shards[0];
        foreach (var (dir, shard) in shards.Skip(1)) CheckSameRun(firstDir, run, dir, shard);
        var owner = new string?[run.InputsTotal];
        foreach (var (dir, shard) in shards) CheckCoverage(dir, shard, owner);
        var missing = Array.IndexOf(owner, null);
        if (missing >= 0) throw new InvalidDataException($"input {missing} of {run.InputsTotal} is in no shard: the shards do not cover the run");

        Directory.CreateDirectory(outDir);
        var results = shards.SelectMany(s => s.Manifest.Results.Select(r => (r.Index, r.Row, s.Directory))).OrderBy(r => r.Index).ToArray();
        ShardPictures.Copy(shards.Select(s => s.Directory).ToArray(), PictureFolders, outDir);
        if (run.References is not null) ReferenceArguments.WriteKShot(outDir, run.References);
        if (run.Maps) MergeMaps(results.Select(r => (r.Row.Stem, r.Directory)).ToArray(), Path.Combine(outDir, PredictionWriter.MapsFile));
        var skipped = shards.SelectMany(s => s.Manifest.Skipped).OrderBy(s => s.Index).Select(s => (s.File, s.Reason)).ToArray();
        PredictionWriter.WriteSkipped(outDir, skipped);
        // results.csv last: it is what tells a reader the merged folder is complete.
        PredictionWriter.WriteResults(outDir, results.Select(r => r.Row).ToArray(), run.ImageThreshold, run.Transductive);
        return (results.Length, skipped.Length);
    }

    private static void CheckSameRun(string dirA, PredictShard a, string dirB, PredictShard b)
    {
        string Differs(string what) => $"{dirA} (shard {a.Shard}) and {dirB} (shard {b.Shard}) differ in {what}: they are shards of different runs";
        if (a.InputsTotal != b.InputsTotal || a.InputsFingerprint != b.InputsFingerprint)
            throw new InvalidDataException(Differs($"their inputs ({a.InputsTotal} vs {b.InputsTotal} files; did the input folders change between the shards' runs?)"));
        var key = a.Settings.Keys.Union(b.Settings.Keys).FirstOrDefault(k => a.Settings.GetValueOrDefault(k) != b.Settings.GetValueOrDefault(k));
        if (key is not null)
            throw new InvalidDataException(Differs($"{key} ({a.Settings.GetValueOrDefault(key) ?? "not given"} vs {b.Settings.GetValueOrDefault(key) ?? "not given"})"));
        if (a.References is null != b.References is null || a.References is not null && !a.References.SequenceEqual(b.References!))
            throw new InvalidDataException(Differs("their few-shot references"));
        if (a.Transductive != b.Transductive || a.ImageThreshold != b.ImageThreshold || a.Maps != b.Maps)
            throw new InvalidDataException(Differs("their scores, thresholds or maps"));
    }

    /// <summary>Each input a shard covers must be the run's, have a row or a skip, and be in no other shard.</summary>
    private static void CheckCoverage(string dir, PredictShard shard, string?[] owner)
    {
        var recorded = shard.Results.Select(r => r.Index).Concat(shard.Skipped.Select(s => s.Index)).Order().ToArray();
        if (!recorded.SequenceEqual(shard.Inputs)) throw new InvalidDataException($"{dir}: {ShardManifest.FileName} has results for other inputs than it covers");
        foreach (var i in shard.Inputs)
        {
            if (i < 0 || i >= owner.Length) throw new InvalidDataException($"{dir}: input {i} is not one of the run's {owner.Length}");
            if (owner[i] is { } other) throw new InvalidDataException($"{other} and {dir} both cover input {i}: the shards overlap");
            owner[i] = dir;
        }
    }

    /// <summary>Streams every row's map, in row order, from its shard's maps file into one file.</summary>
    private static void MergeMaps(IReadOnlyList<(string Stem, string Directory)> rows, string target)
    {
        var files = new Dictionary<string, MapFile>(StringComparer.Ordinal);
        try
        {
            using var writer = new SafeTensorsStreamWriter(target);
            foreach (var (stem, dir) in rows)
            {
                if (!files.TryGetValue(dir, out var file)) files[dir] = file = new MapFile(Path.Combine(dir, PredictionWriter.MapsFile));
                var (values, height, width) = file.Read(stem);
                writer.Add(stem, values, height, width);
            }
            writer.Complete();
        }
        finally
        {
            foreach (var file in files.Values) file.Dispose();
        }
    }
}
