using System.CommandLine;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>The <c>--shard i/n</c> option of <c>predict</c> and <c>test</c>: run only part i of n of the inputs, for <c>merge</c> to combine.</summary>
internal static class ShardOption
{
    /// <summary>The option; <paramref name="partition"/> says which list is cut into n contiguous blocks.</summary>
    public static Option<string?> Create(string partition) => new("--shard")
    {
        Description = $"Run only shard i of n (0-based, e.g. 2/4): block i of {partition}; the shard's --out folder gets shard.json for `anomalyclip merge`.",
    };

    /// <summary>The shard asked for, or null for a whole run.</summary>
    public static Shard? Parse(ParseResult r, Option<string?> option)
    {
        if (r.GetValue(option) is not string text) return null;
        try
        {
            return Shard.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--shard: {e.Message}", e);
        }
    }
}
