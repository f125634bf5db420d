using AnomalyClip.Clip.IO;
using AnomalyClip.Tests.Clip.Hub;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip encode-text</c> in-process against the upstream OpenCLIP goldens (tiny-a, QuickGELU).</summary>
public sealed class EncodeTextCommandTests
{
    private static readonly string Bpe = Golden.PathOf("bpe_simple_vocab_16e6.txt.gz");

    private static List<string> UpstreamTexts() =>
        Golden.Manifest["upstream_openclip"]!["text_inputs"]!.AsArray().Select(t => (string)t!).ToList();

    private static void AssertUpstream(string output)
    {
        using var scope = NewDisposeScope();
        var result = SafeTensors.Load(output);
        Assert.Equal(["embeddings", "tokens"], result.Keys.Order());
        Assert.Equal(ScalarType.Int64, result["tokens"].dtype);
        TensorAssert.Equal(Golden.Upstream("upstream/text/tokens"), result["tokens"], "tokens");
        Assert.Equal(ScalarType.Float32, result["embeddings"].dtype);
        TensorAssert.Close(Golden.Upstream("upstream/encode_text"), result["embeddings"], 1e-5, "embeddings");
    }

    [Fact]
    public void TextsAsArguments_ReproduceUpstreamTokensAndEmbeddings()
    {
        using var dir = new TempDirectory();
        var output = dir.Sub("text.safetensors");
        var (code, err) = EncodeCliRunner.Run(["encode-text", "--model-dir", Golden.TinyA, "--tokenizer", Bpe, "--activation", "quickgelu", "--dtype", "fp32",
            "--out", output, .. UpstreamTexts()]);
        Assert.True(code == 0, err);
        AssertUpstream(output);
    }

    [Fact]
    public void TextsFile_OneTextPerLine_GivesTheSameRows()
    {
        // A line holds one text, so the golden texts that contain line breaks cannot be in the file.
        var texts = UpstreamTexts();
        var rows = Enumerable.Range(0, texts.Count).Where(i => !texts[i].Contains('\n') && !texts[i].Contains('\r')).ToList();
        Assert.True(rows.Count >= 20, $"only {rows.Count} single-line texts");
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Sub("texts.txt"), string.Join("\r\n", rows.Select(i => texts[i])) + "\n");
        var output = dir.Sub("text.safetensors");
        var (code, err) = EncodeCliRunner.Run("encode-text", "--model-dir", Golden.TinyA, "--tokenizer", Bpe, "--dtype", "fp32", "--texts-file", dir.Sub("texts.txt"), "--out", output);
        Assert.True(code == 0, err);

        using var scope = NewDisposeScope();
        var result = SafeTensors.Load(output);
        using var index = tensor(rows.Select(i => (long)i).ToArray());
        TensorAssert.Equal(Golden.Upstream("upstream/text/tokens").index_select(0, index), result["tokens"], "tokens");
        TensorAssert.Close(Golden.Upstream("upstream/encode_text").index_select(0, index), result["embeddings"], 1e-5, "embeddings");
    }

    [Fact]
    public void ModelName_IsResolvedInTheHubCacheOffline()
    {
        using var cache = new TempDirectory();
        HubTestSupport.WriteHfCache(cache.Path, "tiny/tiny-a", new string('a', 40), "open_clip_config.json", "open_clip_model.safetensors");
        var saved = (Environment.GetEnvironmentVariable("HF_HUB_CACHE"), Environment.GetEnvironmentVariable("HF_HUB_OFFLINE"));
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", cache.Path);
        Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", "1");
        try
        {
            var output = cache.Sub("text.safetensors");
            var (code, err) = EncodeCliRunner.Run(["encode-text", "--model", "tiny/tiny-a", "--tokenizer", Bpe, "--dtype", "fp32", "--out", output, .. UpstreamTexts()]);
            Assert.True(code == 0, err);
            AssertUpstream(output);

            var (missing, message) = EncodeCliRunner.Run("encode-text", "--model", "tiny/absent", "--tokenizer", Bpe, "--out", output, "a");
            Assert.Equal(2, missing);
            Assert.Contains("is not in the Hugging Face cache", message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("HF_HUB_CACHE", saved.Item1);
            Environment.SetEnvironmentVariable("HF_HUB_OFFLINE", saved.Item2);
        }
    }

    [Theory]
    [InlineData("missing tokenizer file", "--model-dir", "TINY", "--tokenizer", "MISSING", "a photo")]
    [InlineData("no texts", "--model-dir", "TINY", "--tokenizer", "BPE")]
    [InlineData("missing texts file", "--model-dir", "TINY", "--tokenizer", "BPE", "--texts-file", "MISSING")]
    [InlineData("bad activation", "--model-dir", "TINY", "--tokenizer", "BPE", "--activation", "relu", "a photo")]
    [InlineData("bad dtype", "--model-dir", "TINY", "--tokenizer", "BPE", "--dtype", "int8", "a photo")]
    [InlineData("truncated weights", "--model-dir", "TRUNCATED", "--tokenizer", "BPE", "a photo")]
    public void BadInput_ExitsWith2_AndWritesNothing(string what, params string[] args)
    {
        using var dir = new TempDirectory();
        var bytes = File.ReadAllBytes(Path.Combine(Golden.TinyA, "open_clip_model.safetensors"));
        File.WriteAllBytes(dir.Sub("cut.safetensors"), bytes[..1000]);
        var resolved = args.Select(a => a switch
        {
            "TINY" => Golden.TinyA,
            "BPE" => Bpe,
            "MISSING" => dir.Sub("missing.txt"),
            "TRUNCATED" => dir.Sub("cut.safetensors"),
            _ => a,
        });
        var output = dir.Sub("out.safetensors");
        var (code, err) = EncodeCliRunner.Run(["encode-text", "--out", output, .. resolved]);
        Assert.True(code == 2, $"{what}: exit code {code}, stderr {err}");
        Assert.StartsWith("error: ", err.TrimEnd('\n').Split('\n').First(l => !l.StartsWith("dtype: ")));
        Assert.False(File.Exists(output), what);
    }
}
