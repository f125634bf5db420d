using System.CommandLine;
using System.Globalization;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Range checks that run when the command line is parsed, before anything is loaded: a value outside the range (or
/// NaN/∞) is a usage error naming the option, never a tensor of absurd size or a silent NaN.
/// </summary>
internal static class OptionRanges
{
    public static Option<int> Between(this Option<int> option, int min, int max) => Check(option, min, max);

    public static Option<int?> Between(this Option<int?> option, int min, int max) => Check(option, min, max);

    public static Option<double> Between(this Option<double> option, double min, double max, bool minExclusive = false) => Check(option, min, max, minExclusive);

    public static Option<double?> Between(this Option<double?> option, double min, double max, bool minExclusive = false) => Check(option, min, max, minExclusive);

    public static Option<double?> Finite(this Option<double?> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && TryValue(result, out double? parsed) && parsed is double v && !double.IsFinite(v))
                result.AddError($"{option.Name} must be a finite number, got {result.Tokens[^1].Value}");
        });
        return option;
    }

    // A token that does not parse already has its own error; the range check then has nothing to say.
    private static bool TryValue<T>(System.CommandLine.Parsing.OptionResult result, out T? value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    private static Option<T> Check<T>(Option<T> option, double min, double max, bool minExclusive = false)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || !TryValue(result, out T? parsed) || parsed is not { } boxed) return;
            double value = Convert.ToDouble(boxed, CultureInfo.InvariantCulture);
            bool below = minExclusive ? !(value > min) : !(value >= min);
            if (below || !(value <= max))
                result.AddError(string.Create(CultureInfo.InvariantCulture,
                    $"{option.Name} must be {(minExclusive ? "above" : "at least")} {min} and at most {max}, got {result.Tokens[^1].Value}"));
        });
        return option;
    }
}
