using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Combines the shards of one <c>test</c> run into the folder the unsharded run writes: the metrics computed by
/// <see cref="ShardedEvaluation.Merge"/> (results.md/csv/json, log.txt, k_shot.txt), the overlays and report.html.
/// </summary>
internal static class TestMerge
{
    /// <exception cref="InvalidDataException">Shards are unfinished, missing, given twice, of different runs, or
    /// some wrote overlays and others not.</exception>
    public static EvaluationResult Merge(IReadOnlyList<string> shardDirectories, string outDir)
    {
        var result = ShardedEvaluation.Merge(shardDirectories);
        // The report shows every image's overlay or none: shards with images must all have them, or none.
        var byOverlays = shardDirectories.Where(d => EvaluationShard.Read(d).Images.Count > 0)
            .GroupBy(d => Directory.Exists(Path.Combine(d, TestCommand.OverlayFolder))).ToArray();
        if (byOverlays.Length > 1)
            throw new InvalidDataException($"{byOverlays.Single(g => !g.Key).First()} has no overlays but {byOverlays.Single(g => g.Key).First()} has: run every shard with, or every shard without, --no-overlays");
        bool overlays = byOverlays.Length == 1 && byOverlays[0].Key;
        result.WriteTo(outDir);
        ShardPictures.Copy(shardDirectories, [TestCommand.OverlayFolder], outDir);
        TestCommand.WriteReport(result, outDir, overlays);
        return result;
    }
}
