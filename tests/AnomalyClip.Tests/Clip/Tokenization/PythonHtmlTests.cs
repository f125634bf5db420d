using AnomalyClip.Clip.Tokenization;
using Xunit;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>Expected strings are Python 3.11 <c>html.unescape</c> outputs of the same inputs.</summary>
public class PythonHtmlTests
{
    [Theory]
    [InlineData("&amp &ampx &#128; &#0; &#x110000; &#xD800; &notit; &#1; &#65 &apos; &#x41;&#X42;",
        "& &x \u20ac \ufffd \ufffd \ufffd \u00acit;  A ' AB")]
    [InlineData("AT&AMP;T &LT &lang;&rang; &#x; &# &; & &frac12x", "AT&T < \u27e8\u27e9 &#x; &# &; & \u00bdx")]
    [InlineData("&amp;amp; &amp;lt;", "&amp; &lt;")]
    [InlineData("&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaamp;", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaamp;")]
    [InlineData("&#99999999999999999999; &#13; &#x9F; &#x81; &#xFFFE; &#x10FFFF; &#xFDD0;", "\ufffd \r \u0178 \u0081   ")]
    [InlineData("&Eacute;&eacute &hellip; &euro;", "\u00c9\u00e9 \u2026 \u20ac")]
    [InlineData("no entities", "no entities")]
    public void MatchesPythonHtmlUnescape(string input, string expected) => Assert.Equal(expected, PythonHtml.Unescape(input));

    [Fact]
    public void TwoPassesResolveDoubleEscapes() =>
        Assert.Equal("& <", PythonHtml.Unescape(PythonHtml.Unescape("&amp;amp; &amp;lt;")));
}
