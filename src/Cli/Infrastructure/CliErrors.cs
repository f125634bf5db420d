using AnomalyClip.Clip;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>Turns the libraries' typed errors into a message on stderr and a non-zero exit code.</summary>
internal static class CliErrors
{
    /// <summary>Exit code for bad input (unreadable files, wrong weights, invalid arguments).</summary>
    public const int BadInput = 2;

    /// <summary>Runs <paramref name="action"/>; typed input errors print one line and return <see cref="BadInput"/>.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (IsInputError(ex))
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
    }

    private static bool IsInputError(Exception ex) => ex is ModelLoadException or ImageLoadException or ArgumentException
        or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
        || ex.GetType().Name is "DatasetException" or "AdapterLoadException";
}
