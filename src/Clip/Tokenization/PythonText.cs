using System.Globalization;
using System.Text;

namespace AnomalyClip.Clip.Tokenization;

/// <summary>
/// The Python <c>str</c> operations CLIP's cleaner relies on, reproduced where .NET's defaults differ:
/// <c>str.isspace</c> also counts U+001C–U+001F, and <c>str.lower</c> is the full Unicode lowercase mapping
/// (U+0130 becomes two characters; capital sigma becomes final ς at the end of a word).
/// </summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit (every Python whitespace character is in the BMP).</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary><c>" ".join(text.split())</c>: drops leading/trailing whitespace and joins the words with one space.</summary>
    public static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsWhitespace(text[i])) i++;
            var start = i;
            while (i < text.Length && !IsWhitespace(text[i])) i++;
            if (i == start) break;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(text, start, i - start);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.lower()</c>. Throws <see cref="ArgumentException"/> on an unpaired surrogate, which
    /// Python could not UTF-8 encode for the tokenizer either.</summary>
    public static string Lower(string text)
    {
        if (Ascii.IsValid(text)) return text.ToLowerInvariant();
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used) != System.Buffers.OperationStatus.Done)
                throw new ArgumentException($"Text has an unpaired UTF-16 surrogate at index {i}.", nameof(text));
            if (rune.Value == 0x0130) sb.Append("i\u0307");
            else if (rune.Value == 0x03A3) sb.Append(IsFinalSigma(text, i) ? 'ς' : 'σ');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += used;
        }
        return sb.ToString();
    }

    // Unicode's Final_Sigma condition as CPython tests it: a cased letter before (skipping case-ignorables) and none after.
    private static bool IsFinalSigma(string text, int sigmaIndex)
    {
        var j = sigmaIndex;
        Rune before = default;
        var found = false;
        while (j > 0 && Rune.DecodeLastFromUtf16(text.AsSpan(0, j), out before, out var used) == System.Buffers.OperationStatus.Done)
        {
            j -= used;
            if (!IsCaseIgnorable(before)) { found = true; break; }
        }
        if (!found || !IsCased(before)) return false;
        j = sigmaIndex + 1;
        while (j < text.Length && Rune.DecodeFromUtf16(text.AsSpan(j), out var after, out var used) == System.Buffers.OperationStatus.Done)
        {
            if (!IsCaseIgnorable(after)) return !IsCased(after);
            j += used;
        }
        return true;
    }

    // Approximates the Unicode Cased property: letters with a case, anything with a case mapping (Ⓐ, Ⅻ), ª and º.
    private static bool IsCased(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        || Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r || r.Value is 0xAA or 0xBA;

    // Case_Ignorable = Mn, Me, Cf, Lm, Sk, plus Word_Break MidLetter / MidNumLet / Single_Quote.
    private static bool IsCaseIgnorable(Rune r) =>
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || r.Value is 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
}
