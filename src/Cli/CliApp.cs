using System.CommandLine;
using System.Globalization;
using AnomalyClip.Cli.Commands;
using AnomalyClip.Cli.Infrastructure;

namespace AnomalyClip.Cli;

/// <summary>Builds the <c>anomalyclip</c> command tree; each command is a thin call into the libraries.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with every sub-command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("AnomalyClip: zero- and few-shot industrial anomaly detection (APRIL-GAN on CLIP, or few-shot on a built-in ResNet-18) in .NET. " +
            "Exit codes: 0 every input processed; 1 unexpected failure; 2 bad input or arguments; 3 completed but skipped inputs (skipped.txt); 130 cancelled.");
        root.Options.Add(new Option<bool>(VerboseOption) { Description = "On errors, print the stack trace too.", Recursive = true });
        root.Subcommands.Add(DemoCommand.Build());
        root.Subcommands.Add(PredictCommand.Build());
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(TestCommand.Build());
        root.Subcommands.Add(CalibrateCommand.Build());
        root.Subcommands.Add(MetricsCommand.Build());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(MergeCommand.Build());
        var bench = new Command("bench", "Benchmarks (figures, not tests).");
        bench.Subcommands.Add(BenchEncoderCommand.Build());
        bench.Subcommands.Add(BenchPredictCommand.Build());
        bench.Subcommands.Add(BenchMetricsCommand.Build());
        bench.Subcommands.Add(BenchFewShotCommand.Build());
        bench.Subcommands.Add(BenchServeCommand.Build());
        root.Subcommands.Add(bench);
        root.Subcommands.Add(EncodeCommand.Build());
        root.Subcommands.Add(EncodeTextCommand.Build());
        return root;
    }

    private const string VerboseOption = "--verbose";

    /// <summary>Parses and runs <paramref name="args"/>; returns the process exit code (see the root command's description).</summary>
    public static int Run(string[] args)
    {
        // Numbers on the command line and in every file written are invariant: "--image-threshold 0.2" is 0.2 under any locale.
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var parse = Build().Parse(args);
        CliErrors.Verbose = args.Contains(VerboseOption);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("(see --help)");
            return CliErrors.BadInput;
        }
        return CliErrors.Run(() => parse.Invoke());
    }
}
