using System.Text.Json.Nodes;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>Exact id parity with upstream open_clip (run without ftfy) on the golden texts and every APRIL-GAN prompt.</summary>
public class ClipTokenizerGoldenTests
{
    private static readonly JsonObject TokenizerJson =
        (JsonObject)JsonNode.Parse(File.ReadAllText(Golden.PathOf("tokenizer.json")))!;

    private static JsonArray Tricky => TokenizerJson["tricky"]!.AsArray();

    private static string[] TrickyTexts => [.. Tricky.Select(t => (string)t!["text"]!)];

    [Fact]
    public void TrickyTextsGiveTheGoldenUnpaddedIds()
    {
        Assert.Equal(24, Tricky.Count);
        foreach (var row in Tricky)
        {
            var text = (string)row!["text"]!;
            long[] expected = [ClipTokenizer.StartOfTextId, .. row["bpe_ids_unpadded"]!.AsArray().Select(x => (long)x!), ClipTokenizer.EndOfTextId];
            var actual = SharedTokenizer.Get.Encode(text);
            Assert.True(expected.SequenceEqual(actual), $"{Escape(text)}: expected [{string.Join(' ', expected)}] got [{string.Join(' ', actual)}]");
            Assert.Equal((int)row["n_tokens_with_sot_eot"]!, actual.Length);
        }
    }

    [Fact]
    public void TrickyTextsBatchEqualsGoldenPaddedTruncatedTensor()
    {
        using var ids = SharedTokenizer.Get.Tokenize(TrickyTexts);
        Assert.Equal(ScalarType.Int64, ids.dtype);
        TensorAssert.Equal(Golden.Upstream("tokenizer/tricky_ids"), ids, "tokenizer/tricky_ids");
    }

    [Fact]
    public void LongTextIsCutToSot75TokensEot()
    {
        var row = Tricky.Single(t => (bool)t!["truncated"]!);
        var ids = SharedTokenizer.Get.TokenizeToArray([(string)row!["text"]!]);
        Assert.Equal(ClipTokenizer.StartOfTextId, ids[0, 0]);
        Assert.Equal(ClipTokenizer.EndOfTextId, ids[0, 76]);
        Assert.Equal((long)row["bpe_ids_unpadded"]![74]!, ids[0, 75]);
    }

    [Fact]
    public void EncoderInputTextsGiveTheGoldenTokens()
    {
        var texts = Golden.Manifest["upstream_openclip"]!["text_inputs"]!.AsArray().Select(t => (string)t!).ToArray();
        Assert.Equal(28, texts.Length);
        using var ids = SharedTokenizer.Get.Tokenize(texts);
        TensorAssert.Equal(Golden.Upstream("upstream/text/tokens"), ids, "upstream/text/tokens");
    }

    [Fact]
    public void EveryAprilGanPromptGivesTheGoldenIds()
    {
        var prompts = AllPrompts();
        var lengths = Golden.Upstream("tokenizer/prompt_lengths").data<int>().ToArray();
        var flat = Golden.Upstream("tokenizer/prompt_ids_flat").data<int>().ToArray();
        Assert.Equal((int)TokenizerJson["n_prompts"]!, prompts.Count);
        Assert.Equal(11340, lengths.Length);
        var offset = 0;
        for (var p = 0; p < prompts.Count; p++)
        {
            var actual = SharedTokenizer.Get.Encode(prompts[p]);
            var expected = flat.AsSpan(offset, lengths[p]).ToArray().Select(x => (long)x);
            Assert.True(expected.SequenceEqual(actual), $"prompt {p} '{prompts[p]}'");
            offset += lengths[p];
        }
        Assert.Equal(flat.Length, offset);
    }

    [Fact]
    public void EncodingIsThreadSafeAndMatchesSequential()
    {
        var prompts = AllPrompts();
        var fresh = ClipTokenizer.FromBpeMergesFile(SharedTokenizer.MergesFile);
        var parallel = new long[prompts.Count][];
        Parallel.For(0, prompts.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fresh.Encode(prompts[i]));
        for (var i = 0; i < prompts.Count; i++) Assert.Equal(SharedTokenizer.Get.Encode(prompts[i]), parallel[i]);
    }

    [Theory]
    [InlineData("a diagram", new long[] { 49406, 320, 22697, 49407 })]
    [InlineData("a dog", new long[] { 49406, 320, 1929, 49407 })]
    [InlineData("a cat", new long[] { 49406, 320, 2368, 49407 })]
    [InlineData("a photo of a cat", new long[] { 49406, 320, 1125, 539, 320, 2368, 49407 })]
    [InlineData("Hello, World!", new long[] { 49406, 3306, 267, 1002, 256, 49407 })]
    [InlineData("It's 2024 &amp; CLIP's tokenizer.", new long[] { 49406, 585, 568, 273, 271, 273, 275, 261, 9289, 568, 32634, 23895, 269, 49407 })]
    [InlineData("naïve café", new long[] { 49406, 1097, 35689, 563, 15304, 49407 })]
    public void SpecReferenceIds(string text, long[] expected) => Assert.Equal(expected, SharedTokenizer.Get.Encode(text));

    // Expected ids: a clean-room Python run of open_clip's SimpleTokenizer algorithm (Python 3.11 lower/html,
    // `regex` with IGNORECASE, no ftfy) on the shipped merges; these exercise astral letters and case mapping, final
    // sigma, U+0130, 'ſ' folding, U+0345 dropping, legacy HTML names and Windows-1252 numeric references.
    [Theory]
    [InlineData("\U0001D400\U0001D401 math", new long[] { 49406, 15889, 222, 15889, 479, 6025, 49407 })]
    [InlineData("it'\u017f <\u017ftart_of_text> x\u0345y", new long[] { 49406, 585, 6, 129, 379, 27, 129, 123, 16707, 62, 684, 62, 18169, 285, 343, 344, 49407 })]
    [InlineData("\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u039f\u03a3", new long[] { 49406, 138, 123, 138, 112, 138, 123, 139, 480, 139, 225, 138, 123, 139, 228, 138, 123, 139, 480, 49407 })]
    [InlineData("\u0130stanbul &notit; &#128;uro &frac12x", new long[] { 49406, 328, 16384, 11231, 126, 361, 585, 282, 6309, 5925, 33613, 343, 49407 })]
    [InlineData("\U0001F600\U0001F408\u200d\u2b1b \U00010400\U00010428", new long[] { 49406, 12832, 2074, 230, 4244, 7930, 505, 172, 238, 238, 101, 172, 238, 238, 357, 49407 })]
    public void EdgeCasesMatchPythonReference(string text, long[] expected) => Assert.Equal(expected, SharedTokenizer.Get.Encode(text));

    [Fact]
    public void SpecReferenceHundredWordsTruncates()
    {
        var ids = SharedTokenizer.Get.TokenizeToArray([string.Join(' ', Enumerable.Repeat("word", 100))]);
        Assert.Equal(ClipTokenizer.StartOfTextId, ids[0, 0]);
        for (var k = 1; k <= 75; k++) Assert.Equal(2653, ids[0, k]);
        Assert.Equal(ClipTokenizer.EndOfTextId, ids[0, 76]);
        Assert.Equal(102, SharedTokenizer.Get.Encode(string.Join(' ', Enumerable.Repeat("word", 100))).Length);
    }

    internal static List<string> AllPrompts()
    {
        var templates = Strings("templates");
        var states = new[] { Strings("normal_states"), Strings("abnormal_states") };
        var prompts = new List<string>();
        foreach (var cls in TokenizerJson["prompt_classes"]!.AsArray().Select(c => (string)c!["class"]!))
            foreach (var stateList in states)
                foreach (var state in stateList)
                    foreach (var template in templates)
                        prompts.Add(template.Replace("{}", state.Replace("{}", cls)));
        return prompts;
    }

    private static string[] Strings(string key) => [.. TokenizerJson[key]!.AsArray().Select(x => (string)x!)];

    private static string Escape(string s) => string.Concat(s.Select(c => c < 32 || c > 126 ? $"\\u{(int)c:X4}" : c.ToString()));
}
