using AnomalyClip.Clip;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// The tool's exit codes and its one error path: whatever a command throws ends as a single <c>error:</c> line on
/// stderr naming the file or option, never a stack trace (unless <c>--verbose</c>).
/// </summary>
internal static class CliErrors
{
    /// <summary>Every input was processed.</summary>
    public const int Success = 0;

    /// <summary>Something failed that is not the input's fault (a bug or the environment); the message says what.</summary>
    public const int Unexpected = 1;

    /// <summary>Bad input or arguments (unreadable files, wrong weights, invalid options); nothing was written under a final name.</summary>
    public const int BadInput = 2;

    /// <summary>The run completed but skipped some inputs (listed in skipped.txt).</summary>
    public const int Skipped = 3;

    /// <summary>Interrupted (Ctrl+C or cancellation).</summary>
    public const int Cancelled = 130;

    /// <summary>Print stack traces too (the global <c>--verbose</c> option).</summary>
    public static bool Verbose { get; set; }

    /// <summary>Runs <paramref name="action"/> and turns any exception into one error line and an exit code.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex)
        {
            var (code, line) = Describe(ex);
            Console.Error.WriteLine(line);
            if (Verbose) Console.Error.WriteLine(ex.ToString());
            else if (code == Unexpected) Console.Error.WriteLine("(rerun with --verbose for the details)");
            return code;
        }
    }

    /// <summary>The exit code and the error line for <paramref name="ex"/>.</summary>
    internal static (int Code, string Line) Describe(Exception ex) => ex switch
    {
        InputException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or System.Text.Json.JsonException => (BadInput, $"error: {ex.Message}"),
        UnauthorizedAccessException or PathTooLongException => (BadInput, $"error: {ex.Message}"),
        OperationCanceledException => (Cancelled, "error: cancelled"),
        OutOfMemoryException or InsufficientExecutionStackException => (Unexpected, $"error: out of memory ({ex.Message}); the input is too large for this machine"),
        IOException => (Unexpected, $"error: {ex.Message}"),
        _ => (Unexpected, $"error: unexpected {ex.GetType().Name}: {ex.Message}"),
    };
}
