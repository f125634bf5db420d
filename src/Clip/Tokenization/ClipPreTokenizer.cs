using System.Globalization;
using System.Text;

namespace AnomalyClip.Clip.Tokenization;

/// <summary>
/// Splits cleaned text the way open_clip's <c>regex.findall</c> does with
/// <c>&lt;start_of_text&gt;|&lt;end_of_text&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> and
/// IGNORECASE. Hand-written rather than a .NET <c>Regex</c> because .NET classes UTF-16 units, so astral letters and
/// digits (surrogate pairs) would fall into the last alternative; here every test is on whole code points.
/// </summary>
/// <remarks>
/// Two IGNORECASE effects of the Python <c>regex</c> module are reproduced: 'ſ' (U+017F) matches 's' in the literal
/// alternatives, and U+0345 (combining ypogegrammeni, which folds to the letter ι) matches none of the alternatives,
/// so it is dropped like whitespace. Letter/number classes come from .NET's Unicode tables, which may be a different
/// Unicode version than the Python that made the reference ids.
/// </remarks>
internal static class ClipPreTokenizer
{
    /// <summary>open_clip's start-of-text literal.</summary>
    public const string StartOfText = "<start_of_text>";

    /// <summary>open_clip's end-of-text literal.</summary>
    public const string EndOfText = "<end_of_text>";

    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    private const int CombiningYpogegrammeni = 0x0345;

    private enum RuneClass { Skip, Letter, Number, Other }

    /// <summary>Appends the pre-tokens of <paramref name="cleaned"/> (output of the cleaner: valid UTF-16) to <paramref name="pieces"/>.</summary>
    public static void Split(string cleaned, List<string> pieces)
    {
        var i = 0;
        while (i < cleaned.Length)
        {
            var literal = MatchLiteral(cleaned, i);
            if (literal > 0)
            {
                pieces.Add(cleaned.Substring(i, literal));
                i += literal;
                continue;
            }
            var cls = ClassAt(cleaned, i, out var width);
            if (cls == RuneClass.Skip) { i += width; continue; }
            var start = i;
            i += width;
            if (cls != RuneClass.Number)
                while (i < cleaned.Length && ClassAt(cleaned, i, out width) == cls) i += width;
            pieces.Add(cleaned.Substring(start, i - start));
        }
    }

    // Length of the special-token or contraction alternative matching at `at`, 0 if none (alternation order kept).
    private static int MatchLiteral(string text, int at)
    {
        var c = text[at];
        if (c == '<')
        {
            if (MatchesFolded(text, at, StartOfText)) return StartOfText.Length;
            if (MatchesFolded(text, at, EndOfText)) return EndOfText.Length;
        }
        else if (c == '\'')
        {
            foreach (var contraction in Contractions)
                if (MatchesFolded(text, at, contraction)) return contraction.Length;
        }
        return 0;
    }

    private static bool MatchesFolded(string text, int at, string pattern)
    {
        if (at + pattern.Length > text.Length) return false;
        for (var k = 0; k < pattern.Length; k++)
        {
            var t = text[at + k];
            var p = pattern[k];
            if (t == p || char.ToLowerInvariant(t) == p && char.IsAscii(t)) continue;
            if (p == 's' && t == 'ſ') continue;
            return false;
        }
        return true;
    }

    private static RuneClass ClassAt(string text, int at, out int width)
    {
        Rune.DecodeFromUtf16(text.AsSpan(at), out var rune, out width);
        if (rune.Value == CombiningYpogegrammeni || PythonText.IsWhitespace(text[at])) return RuneClass.Skip;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => RuneClass.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => RuneClass.Number,
            _ => RuneClass.Other,
        };
    }
}
