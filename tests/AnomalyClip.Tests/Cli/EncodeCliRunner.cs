using AnomalyClip.Cli;

namespace AnomalyClip.Tests.Cli;

/// <summary>Runs the CLI in-process, capturing stderr.</summary>
internal static class EncodeCliRunner
{
    public static (int Code, string Stderr) Run(params string[] args)
    {
        var previous = Console.Error;
        using var err = new StringWriter();
        Console.SetError(err);
        try
        {
            return (CliApp.Run(args), err.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }
}
