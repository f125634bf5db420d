using System.CommandLine;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>Checks for positional arguments that take many values (files, texts).</summary>
internal static class InputArguments
{
    /// <summary>
    /// Refuses values that look like options ("--normalise") unless they name an existing file or folder, so a
    /// mistyped option is an error instead of one more input.
    /// </summary>
    public static Argument<string[]> RejectingOptions(this Argument<string[]> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (token.Value.StartsWith("--", StringComparison.Ordinal) && !File.Exists(token.Value) && !Directory.Exists(token.Value))
                    result.AddError($"unknown option '{token.Value}'");
        });
        return argument;
    }
}
