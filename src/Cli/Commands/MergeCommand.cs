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
            var given = r.GetValue(output)!;
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(given));
            if (dirs.Any(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) == full))
                throw new ArgumentException($"--out {given} is one of the shard folders; merge into a folder of its own");
            var outDir = OutputPaths.Folder("--out", given);
            switch (ShardManifest.Kind(dirs[0]))
            {
                case PredictShard.KindName:
                {
                    using var outputs = PredictCommand.ClaimOutputs(outDir);
                    var (rows, skipped) = PredictMerge.Merge(dirs, outDir);
                    outputs.Keep();
                    Console.WriteLine($"{rows} image(s) from {dirs.Length} shard(s) → {Path.Combine(outDir, PredictionWriter.ResultsFile)}");
                    // As the unsharded predict: nothing readable is bad input, some inputs skipped is its own code.
                    if (rows == 0) return CliErrors.BadInput;
                    if (skipped == 0) return CliErrors.Success;
                    Console.Error.WriteLine($"warning: {skipped} input(s) skipped, listed in {Path.Combine(outDir, PredictionWriter.SkippedFile)}");
                    return CliErrors.Skipped;
                }
                case EvaluationShard.KindName:
                {
                    using var outputs = TestCommand.ClaimOutputs(outDir);
                    var result = TestMerge.Merge(dirs, outDir);
                    outputs.Keep();
                    Console.Write(result.Metrics.ToMarkdown());
                    Console.WriteLine($"results of {dirs.Length} shard(s) written to {outDir}");
                    break;
                }
                case var other:
                    throw new InvalidDataException($"{Path.Combine(dirs[0], ShardManifest.FileName)}: unknown shard kind '{other}' (predict, test)");
            }
            return 0;
        }));
        return cmd;
    }
}
