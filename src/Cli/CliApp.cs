using System.CommandLine;
using AnomalyClip.Cli.Commands;

namespace AnomalyClip.Cli;

/// <summary>Builds the <c>anomalyclip</c> command tree; each command is a thin call into the libraries.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every sub-command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("AnomalyClip: zero- and few-shot industrial anomaly detection (APRIL-GAN on CLIP, or few-shot on a built-in ResNet-18) in .NET.");
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(PredictCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(TestCommand.Build());
        root.Subcommands.Add(CalibrateCommand.Build());
        root.Subcommands.Add(MetricsCommand.Build());
        root.Subcommands.Add(MergeCommand.Build());
        var bench = new Command("bench", "Benchmarks (figures, not tests).");
        bench.Subcommands.Add(BenchEncoderCommand.Build());
        bench.Subcommands.Add(BenchPredictCommand.Build());
        bench.Subcommands.Add(BenchMetricsCommand.Build());
        bench.Subcommands.Add(BenchFewShotCommand.Build());
        root.Subcommands.Add(bench);
        root.Subcommands.Add(EncodeCommand.Build());
        root.Subcommands.Add(EncodeTextCommand.Build());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(string[] args) => Build().Parse(args).Invoke();
}
