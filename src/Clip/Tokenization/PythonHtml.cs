using System.Net;
using System.Text;

namespace AnomalyClip.Clip.Tokenization;

/// <summary>
/// Python's <c>html.unescape</c>, which CLIP's cleaner applies twice. <see cref="WebUtility.HtmlDecode(string)"/> alone
/// differs from it: it needs the trailing ';', does not remap the Windows-1252 range of numeric references and
/// keeps invalid code points, so the scanning and numeric rules are reimplemented here and only the lookup of
/// semicolon-terminated names is delegated to it.
/// </summary>
/// <remarks>
/// Known gap: .NET knows the 253 HTML 4 names (plus the HTML 5 upper-case aliases handled here), Python the 2,231 HTML 5
/// names; an HTML-5-only name such as <c>&amp;NewLine;</c> stays as written here.
/// </remarks>
internal static class PythonHtml
{
    // Names that HTML 5 (and hence Python) also accepts without ';' (html.entities.html5 keys lacking ';').
    private static readonly HashSet<string> LegacyNames = new(StringComparer.Ordinal)
    {
        "AElig", "AMP", "Aacute", "Acirc", "Agrave", "Aring", "Atilde", "Auml", "COPY", "Ccedil", "ETH", "Eacute",
        "Ecirc", "Egrave", "Euml", "GT", "Iacute", "Icirc", "Igrave", "Iuml", "LT", "Ntilde", "Oacute", "Ocirc",
        "Ograve", "Oslash", "Otilde", "Ouml", "QUOT", "REG", "THORN", "Uacute", "Ucirc", "Ugrave", "Uuml", "Yacute",
        "aacute", "acirc", "acute", "aelig", "agrave", "amp", "aring", "atilde", "auml", "brvbar", "ccedil", "cedil",
        "cent", "copy", "curren", "deg", "divide", "eacute", "ecirc", "egrave", "eth", "euml", "frac12", "frac14",
        "frac34", "gt", "iacute", "icirc", "iexcl", "igrave", "iquest", "iuml", "laquo", "lt", "macr", "micro",
        "middot", "nbsp", "not", "ntilde", "oacute", "ocirc", "ograve", "ordf", "ordm", "oslash", "otilde", "ouml",
        "para", "plusmn", "pound", "quot", "raquo", "reg", "sect", "shy", "sup1", "sup2", "sup3", "szlig", "thorn",
        "times", "uacute", "ucirc", "ugrave", "uml", "uuml", "yacute", "yen", "yuml",
    };

    // HTML 5 names that HTML 4 (and so WebUtility) lacks or maps differently.
    private static readonly Dictionary<string, string> Html5Overrides = new(StringComparer.Ordinal)
    {
        ["AMP"] = "&", ["LT"] = "<", ["GT"] = ">", ["QUOT"] = "\"", ["COPY"] = "\u00A9", ["REG"] = "\u00AE",
        ["lang"] = "\u27E8", ["rang"] = "\u27E9",
    };

    // Numeric references 0x80–0x9F are read as Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D stay themselves).
    private const string Windows1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /// <summary>Replaces every character reference in <paramref name="text"/> as Python's <c>html.unescape</c> does.</summary>
    public static string Unescape(string text)
    {
        var amp = text.IndexOf('&');
        if (amp < 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, amp);
        var i = amp;
        while (i < text.Length)
        {
            if (text[i] != '&') { sb.Append(text[i++]); continue; }
            var consumed = i + 1 < text.Length && text[i + 1] == '#' ? TryNumeric(text, i, sb) : TryNamed(text, i, sb);
            if (consumed == 0) sb.Append(text[i++]);
            else i += consumed;
        }
        return sb.ToString();
    }

    // Mirrors `&#[0-9]+;?` and `&#[xX][0-9a-fA-F]+;?`; returns the characters consumed, 0 when there is no match.
    private static int TryNumeric(string text, int at, StringBuilder sb)
    {
        var p = at + 2;
        var hex = p < text.Length && text[p] is 'x' or 'X';
        if (hex) p++;
        var start = p;
        long value = 0;
        while (p < text.Length && (hex ? char.IsAsciiHexDigit(text[p]) : char.IsAsciiDigit(text[p])))
        {
            // Saturate: anything past U+10FFFF is treated alike, so huge literals need no big integers.
            if (value <= 0x10FFFF) value = value * (hex ? 16 : 10) + HexDigitValue(text[p]);
            p++;
        }
        if (p == start) return 0;
        if (p < text.Length && text[p] == ';') p++;
        sb.Append(NumericReplacement(value));
        return p - at;
    }

    private static int HexDigitValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string NumericReplacement(long cp)
    {
        if (cp == 0) return "\uFFFD";
        if (cp == 0x0D) return "\r";
        if (cp is >= 0x80 and <= 0x9F) return Windows1252High[(int)cp - 0x80].ToString();
        if (cp is >= 0xD800 and <= 0xDFFF || cp > 0x10FFFF) return "\uFFFD";
        if (IsInvalidCodePoint(cp)) return "";
        return char.ConvertFromUtf32((int)cp);
    }

    private static bool IsInvalidCodePoint(long cp) =>
        cp is (>= 0x1 and <= 0x8) or 0xB or (>= 0xE and <= 0x1F) or 0x7F or (>= 0xFDD0 and <= 0xFDEF)
        || (cp & 0xFFFE) == 0xFFFE;

    // Mirrors `&[^\t\n\f <&#;]{1,32};?` followed by Python's exact-then-longest-prefix name lookup.
    private static int TryNamed(string text, int at, StringBuilder sb)
    {
        var p = at + 1;
        while (p < text.Length && p - at - 1 < 32 && text[p] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';')) p++;
        var nameLength = p - at - 1;
        if (nameLength == 0) return 0;
        var semicolon = p < text.Length && text[p] == ';';
        var name = text.Substring(at + 1, nameLength);
        var exact = semicolon ? LookupWithSemicolon(name) : LegacyNames.Contains(name) ? LookupWithSemicolon(name) : null;
        if (exact is not null)
        {
            sb.Append(exact);
            return nameLength + 1 + (semicolon ? 1 : 0);
        }
        // Python tries prefixes of the whole match (';' included) down to two characters; only legacy names can hit.
        var whole = semicolon ? name + ";" : name;
        for (var x = whole.Length - 1; x >= 2; x--)
        {
            var prefix = whole[..x];
            if (!LegacyNames.Contains(prefix)) continue;
            sb.Append(LookupWithSemicolon(prefix)).Append(whole, x, whole.Length - x);
            return whole.Length + 1;
        }
        sb.Append('&').Append(whole);
        return whole.Length + 1;
    }

    private static string? LookupWithSemicolon(string name)
    {
        if (Html5Overrides.TryGetValue(name, out var value)) return value;
        var reference = "&" + name + ";";
        var decoded = WebUtility.HtmlDecode(reference);
        return decoded == reference ? null : decoded;
    }
}
