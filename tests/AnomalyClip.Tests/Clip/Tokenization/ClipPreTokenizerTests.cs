using AnomalyClip.Clip.Tokenization;
using Xunit;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>Expected pieces are Python <c>regex.findall</c> with open_clip's pattern and IGNORECASE.</summary>
public class ClipPreTokenizerTests
{
    [Theory]
    [InlineData("it'\u017f <\u017ftart_of_text> !'s 'stop x<end_of_text>", new[] { "it", "'\u017f", "<\u017ftart_of_text>", "!'", "s", "'s", "top", "x", "<end_of_text>" })]
    [InlineData("\U0001D400\U0001D401c\U0001D7D9\U0001D7DA x\u0345y ,\u0345.", new[] { "\U0001D400\U0001D401c", "\U0001D7D9", "\U0001D7DA", "x", "y", ",", "." })]
    [InlineData("ab<start_of_text>!<end_of_text>'ll'x", new[] { "ab", "<start_of_text>", "!<", "end", "_", "of", "_", "text", ">'", "ll", "'", "x" })]
    [InlineData("'RE'Ve", new[] { "'RE", "'Ve" })]
    [InlineData("42nd 3.14", new[] { "4", "2", "nd", "3", ".", "1", "4" })]
    public void MatchesPythonRegexFindall(string cleaned, string[] expected)
    {
        var pieces = new List<string>();
        ClipPreTokenizer.Split(cleaned, pieces);
        Assert.Equal(expected, pieces);
    }
}
