using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip merge SHARD_DIRS... --out DIR</c>: combines the output folders of the shards of one
/// <c>predict --shard</c> or <c>test --shard</c> run into what the unsharded run writes. For <c>test</c> the metrics
/// are computed here, from the shards' per-image maps and scores, by the same code as an unsharded run
/// (<see cref="ShardedEvaluation"/>). Unfinished, missing, overlapping or inconsistent shards are refused.
/// </summary>
internal static class MergeCommand
{
    public static Command Build()
    {
        var shards = new Argument<string[]>("shards") { Description = "The --out folder of every shard of the run (each holds shard.json).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for the merged outputs (not one of the shard folders).", Required = true };
        var cmd = new Command("merge", "Combine the outputs of `predict --shard i/n` or `test --shard i/n` runs into one result, as an unsharded run writes it.")
        { shards, output };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var dirs = r.GetValue(shards)!;
            var outDir = r.GetValue(output)!;
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
            if (dirs.Any(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) == full))
                throw new ArgumentException($"--out {outDir} is one of the shard folders; merge into a folder of its own");
            switch (ShardManifest.Kind(dirs[0]))
            {
                case PredictShard.KindName:
                    int rows = PredictMerge.Merge(dirs, outDir);
                    Console.WriteLine($"{rows} image(s) from {dirs.Length} shard(s) → {Path.Combine(outDir, PredictionWriter.ResultsFile)}");
                    // As the unsharded predict: a run in which no image could be read is bad input.
                    return rows > 0 ? 0 : CliErrors.BadInput;
                case EvaluationShard.KindName:
                    var result = TestMerge.Merge(dirs, outDir);
                    Console.Write(result.Metrics.ToMarkdown());
                    Console.WriteLine($"results of {dirs.Length} shard(s) written to {Path.GetFullPath(outDir)}");
                    break;
                case var other:
                    throw new InvalidDataException($"{Path.Combine(dirs[0], ShardManifest.FileName)}: unknown shard kind '{other}' (predict, test)");
            }
            return 0;
        }));
        return cmd;
    }
}
