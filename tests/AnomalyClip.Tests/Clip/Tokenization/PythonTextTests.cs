using AnomalyClip.Clip.Tokenization;
using Xunit;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>Expected strings are Python 3.11 <c>str.lower()</c> / <c>" ".join(s.split())</c> outputs.</summary>
public class PythonTextTests
{
    [Theory]
    [InlineData("\u03a3\u0391\u03a3 \u03a3\u0391\u03a3.", "\u03c3\u03b1\u03c2 \u03c3\u03b1\u03c2.")]
    [InlineData("A\u03a3'B", "a\u03c3'b")]
    [InlineData("A\u03a3'", "a\u03c2'")]
    [InlineData("\u0391\u03a3\u0301", "\u03b1\u03c2\u0301")]
    [InlineData("\u038c\u03a3\u039f\u03a3-\u03a3\u039f\u03a6\u039f\u03a3", "\u03cc\u03c3\u03bf\u03c2-\u03c3\u03bf\u03c6\u03bf\u03c2")]
    [InlineData("\u03a3\u03a3", "\u03c3\u03c2")]
    [InlineData("\u00aa\u03a3", "\u00aa\u03c2")]
    [InlineData("1\u03a3", "1\u03c3")]
    [InlineData("\u0130stanbul", "i\u0307stanbul")]
    [InlineData("\u01c5 \u1e9e \u216b \u24b6 \U0001D400", "\u01c6 \u00df \u217b \u24d0 \U0001D400")]
    [InlineData("ViT-L-14 CAT", "vit-l-14 cat")]
    public void LowerMatchesPython(string input, string expected) => Assert.Equal(expected, PythonText.Lower(input));

    [Fact]
    public void LowerRejectsUnpairedSurrogate() =>
        Assert.Throws<ArgumentException>(() => PythonText.Lower("bad \ud800 surrogate"));

    [Theory]
    [InlineData("  a \t b\n\nc  ", "a b c")]
    [InlineData("tabs\u001cand\u001dfile\u001eseparators\u001f", "tabs and file separators")]
    [InlineData("non\u00a0breaking\u2003em\u2009thin\u200bzero", "non breaking em thin\u200bzero")]
    [InlineData(" \u3000\u0085 ", "")]
    public void CollapseWhitespaceMatchesPythonSplitJoin(string input, string expected) =>
        Assert.Equal(expected, PythonText.CollapseWhitespace(input));
}
