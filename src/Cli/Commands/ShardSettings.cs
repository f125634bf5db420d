using System.CommandLine;
using System.CommandLine.Parsing;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// A shard's command line as name → value: every argument and every option given, except those that differ between
/// the shards of one run by design (<c>--shard</c>, <c>--out</c>). A merge refuses shards whose settings differ.
/// </summary>
internal static class ShardSettings
{
    public static SortedDictionary<string, string> Of(ParseResult r, params Option[] perShard)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in r.CommandResult.Children)
        {
            switch (child)
            {
                case OptionResult { Implicit: false } o when !perShard.Contains(o.Option):
                    // A flag has no value token: it is recorded as set.
                    settings[o.Option.Name] = o.Tokens.Count == 0 ? "true" : string.Join(" ", o.Tokens.Select(t => t.Value));
                    break;
                case ArgumentResult a:
                    settings[a.Argument.Name] = string.Join(" ", a.Tokens.Select(t => t.Value));
                    break;
            }
        }
        return settings;
    }
}
