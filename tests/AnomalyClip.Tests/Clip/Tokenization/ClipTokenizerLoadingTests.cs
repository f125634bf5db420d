using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>The three ways to load the tokenizer, the batch layout, and typed errors for bad files.</summary>
public class ClipTokenizerLoadingTests
{
    private static string[] GoldenTrickyTexts() =>
        [.. JsonDocument.Parse(File.ReadAllText(Golden.PathOf("tokenizer.json"))).RootElement.GetProperty("tricky")
            .EnumerateArray().Select(t => t.GetProperty("text").GetString()!)];

    [Fact]
    public void HuggingFaceVocabAndMergesGiveIdenticalIds()
    {
        var dir = WriteHuggingFaceFiles();
        var hf = ClipTokenizer.FromVocabAndMerges(Path.Combine(dir, "vocab.json"), Path.Combine(dir, "merges.txt"));
        using var ids = hf.Tokenize(GoldenTrickyTexts());
        TensorAssert.Equal(Golden.Upstream("tokenizer/tricky_ids"), ids, "tricky ids via vocab.json+merges.txt");
        foreach (var prompt in ClipTokenizerGoldenTests.AllPrompts().Take(840))
            Assert.Equal(SharedTokenizer.Get.Encode(prompt), hf.Encode(prompt));
    }

    [Fact]
    public void ModelFolderPicksItsTokenizerFilesThenTheGivenFileThenTheEmbeddedDefault()
    {
        var gzDir = Directory.CreateTempSubdirectory("tok-gz-").FullName;
        File.Copy(SharedTokenizer.MergesFile, Path.Combine(gzDir, ClipTokenizer.OpenClipMergesFileName));
        var hfDir = WriteHuggingFaceFiles();
        var empty = Directory.CreateTempSubdirectory("tok-empty-").FullName;
        long[] expected = [49406, 320, 1125, 539, 320, 2368, 49407];
        Assert.Equal(expected, ClipTokenizer.FromModelFolder(gzDir).Encode("a photo of a cat"));
        Assert.Equal(expected, ClipTokenizer.FromModelFolder(hfDir).Encode("a photo of a cat"));
        Assert.Equal(expected, ClipTokenizer.FromModelFolder(empty, SharedTokenizer.MergesFile).Encode("a photo of a cat"));

        Assert.Same(ClipTokenizer.Default, ClipTokenizer.FromModelFolder(empty));

        File.Delete(Path.Combine(hfDir, "merges.txt"));
        var half = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromModelFolder(hfDir, SharedTokenizer.MergesFile));
        Assert.Contains("merges.txt", half.Message);

        var missing = Path.Combine(empty, "nope");
        Assert.Equal(missing, Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromModelFolder(missing)).FilePath);
    }

    [Fact]
    public void BatchIsZeroPaddedInt64AndKeepsEndTokenLast()
    {
        var tok = SharedTokenizer.Get;
        using var padded = tok.Tokenize(["a cat"], contextLength: 6);
        Assert.Equal(ScalarType.Int64, padded.dtype);
        Assert.Equal(DeviceType.CPU, padded.device_type);
        Assert.Equal(new long[] { 49406, 320, 2368, 49407, 0, 0 }, padded.data<long>().ToArray());
        var cut = tok.TokenizeToArray(["a photo of a cat", "a dog"], contextLength: 4);
        Assert.Equal(new long[,] { { 49406, 320, 1125, 49407 }, { 49406, 320, 1929, 49407 } }, cut);
        using var none = tok.Tokenize([]);
        Assert.Equal(new long[] { 0, ClipTokenizer.ContextLength }, none.shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.TokenizeToArray(["x"], contextLength: 1));
    }

    [Fact]
    public void MissingMergesFileIsTypedErrorNamingIt()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tok-").FullName, "bpe_simple_vocab_16e6.txt.gz");
        var e = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromBpeMergesFile(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void CorruptMergesFilesAreTypedErrorsNamingThem()
    {
        var dir = Directory.CreateTempSubdirectory("tok-").FullName;
        var notGzip = Path.Combine(dir, "plain.txt.gz");
        File.WriteAllText(notGzip, "#version: 0.2\ni n\n");
        Assert.Equal(notGzip, Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromBpeMergesFile(notGzip)).FilePath);

        var truncatedGz = Path.Combine(dir, "short.txt.gz");
        WriteGzip(truncatedGz, "#version: 0.2\ni n\nt h\n");
        var shortError = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromBpeMergesFile(truncatedGz));
        Assert.Contains("only 2 merge lines", shortError.Message);

        var badLine = Path.Combine(dir, "badline.txt.gz");
        WriteGzip(badLine, "#version: 0.2\ni n\nthree parts here\n");
        Assert.Contains("line 3", Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromBpeMergesFile(badLine)).Message);
    }

    [Fact]
    public void BadHuggingFaceFilesAreTypedErrorsNamingThem()
    {
        var dir = WriteHuggingFaceFiles();
        var vocab = Path.Combine(dir, "vocab.json");
        var merges = Path.Combine(dir, "merges.txt");
        var good = File.ReadAllText(vocab);

        File.WriteAllText(vocab, "{ not json");
        Assert.Equal(vocab, Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromVocabAndMerges(vocab, merges)).FilePath);

        var wrongEnd = JsonSerializer.Deserialize<Dictionary<string, int>>(good)!;
        wrongEnd["<|endoftext|>"] = 7;
        File.WriteAllText(vocab, JsonSerializer.Serialize(wrongEnd));
        Assert.Contains("49407", Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromVocabAndMerges(vocab, merges)).Message);

        File.WriteAllText(vocab, good);
        File.AppendAllText(merges, "zzq qzz\n");
        var unknown = Assert.Throws<ModelLoadException>(() => ClipTokenizer.FromVocabAndMerges(vocab, merges));
        Assert.Equal(merges, unknown.FilePath);
        Assert.Contains("zzq qzz", unknown.Message);
    }

    // Re-derives the Hugging Face files from the golden merges independently of the library code.
    internal static string WriteHuggingFaceFiles()
    {
        var dir = Directory.CreateTempSubdirectory("tok-hf-").FullName;
        using var gz = new GZipStream(File.OpenRead(SharedTokenizer.MergesFile), CompressionMode.Decompress);
        var merges = new StreamReader(gz).ReadToEnd().Split('\n')[1..48895];
        var printable = Enumerable.Range(0, 256).Where(b => b is (>= 33 and <= 126) or (>= 161 and <= 172) or (>= 174 and <= 255)).ToList();
        var symbols = printable.Select(b => ((char)b).ToString())
            .Concat(Enumerable.Range(0, 256 - printable.Count).Select(k => ((char)(256 + k)).ToString())).ToList();
        var tokens = symbols.Concat(symbols.Select(s => s + "</w>")).Concat(merges.Select(m => m.Replace(" ", "")))
            .Append("<|startoftext|>").Append("<|endoftext|>").ToList();
        var vocab = tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join('\n', merges) + "\n", new UTF8Encoding(false));
        return dir;
    }

    private static void WriteGzip(string path, string content)
    {
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        gz.Write(Encoding.UTF8.GetBytes(content));
    }
}
