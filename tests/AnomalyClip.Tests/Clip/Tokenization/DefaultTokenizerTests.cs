using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Tests.Clip.Hub;
using AnomalyClip.Tests.Support;
using Xunit;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>
/// <see cref="ClipTokenizer.Default"/> (the CLIP BPE embedded in AnomalyClip.Clip) against the golden tokenizer, and the
/// order in which <see cref="ClipModel.Load"/> picks a tokenizer: the model's files, then
/// <see cref="ClipLoadOptions.TokenizerFile"/>, then the embedded default.
/// </summary>
public sealed class DefaultTokenizerTests
{
    private static readonly long[] PhotoOfACat = [49406, 320, 1125, 539, 320, 2368, 49407];

    [Fact]
    public void EmbeddedResourceIsTheGoldenMergesFileByteForByte()
    {
        using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream(ClipTokenizer.EmbeddedMergesResourceName);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(SharedTokenizer.MergesFile)), SHA256.HashData(copy.ToArray()));
    }

    [Fact]
    public void DefaultGivesTheGoldenIdsOnEveryGoldenText()
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Golden.PathOf("tokenizer.json")))!;
        var tricky = json["tricky"]!.AsArray().Select(t => (string)t!["text"]!).ToArray();
        using (var ids = ClipTokenizer.Default.Tokenize(tricky))
            TensorAssert.Equal(Golden.Upstream("tokenizer/tricky_ids"), ids, "tokenizer/tricky_ids via the embedded default");

        var texts = Golden.Manifest["upstream_openclip"]!["text_inputs"]!.AsArray().Select(t => (string)t!).ToArray();
        using (var ids = ClipTokenizer.Default.Tokenize(texts))
            TensorAssert.Equal(Golden.Upstream("upstream/text/tokens"), ids, "upstream/text/tokens via the embedded default");

        var prompts = ClipTokenizerGoldenTests.AllPrompts();
        var lengths = Golden.Upstream("tokenizer/prompt_lengths").data<int>().ToArray();
        var flat = Golden.Upstream("tokenizer/prompt_ids_flat").data<int>().ToArray();
        Assert.Equal(lengths.Length, prompts.Count);
        var offset = 0;
        for (var p = 0; p < prompts.Count; p++)
        {
            var expected = flat.AsSpan(offset, lengths[p]).ToArray().Select(x => (long)x);
            Assert.True(expected.SequenceEqual(ClipTokenizer.Default.Encode(prompts[p])), $"prompt {p} '{prompts[p]}'");
            offset += lengths[p];
        }
        Assert.Equal(flat.Length, offset);
    }

    [Fact]
    public void DefaultIsOneInstanceForEveryThread()
    {
        var seen = new ClipTokenizer[16];
        Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => seen[i] = ClipTokenizer.Default);
        Assert.All(seen, t => Assert.Same(ClipTokenizer.Default, t));
        Assert.Equal(PhotoOfACat, ClipTokenizer.Default.Encode("a photo of a cat"));
    }

    [Fact]
    public void ModelFolderWithoutTokenizerFilesLoadsWithTheDefault()
    {
        using var dir = ModelFolder();
        using var model = Load(dir.Path);
        Assert.Same(ClipTokenizer.Default, model.Tokenizer);
    }

    [Fact]
    public void HuggingFaceCacheFolderWithoutTokenizerFilesLoadsWithTheDefault()
    {
        using var cache = new TempDirectory();
        HubTestSupport.WriteHfCache(cache.Path, "tiny/tiny-a", new string('b', 40), "open_clip_config.json", "open_clip_model.safetensors");
        var network = new NoNetworkHandler();
        using var model = ClipModel.Load("tiny/tiny-a", resolve: HubTestSupport.Isolated(cache.Path, handler: network));
        Assert.Equal(0, network.Calls);
        Assert.Same(ClipTokenizer.Default, model.Tokenizer);
    }

    [Fact]
    public void TokenizerFileOptionWinsOverTheDefault()
    {
        using var dir = ModelFolder();
        var swapped = WriteSwappedMergesFile(dir.Sub("elsewhere.txt.gz"));
        using var model = Load(dir.Path, new ClipLoadOptions(TokenizerFile: swapped));
        Assert.Equal(SwappedPhotoOfACat, model.Tokenizer!.Encode("a photo of a cat"));
    }

    [Fact]
    public void ModelsOpenClipMergesFileWinsOverTheOptionAndTheDefault()
    {
        using var dir = ModelFolder();
        WriteSwappedMergesFile(dir.Sub(ClipTokenizer.OpenClipMergesFileName));
        using (var model = Load(dir.Path))
            Assert.Equal(SwappedPhotoOfACat, model.Tokenizer!.Encode("a photo of a cat"));
        using (var model = Load(dir.Path, new ClipLoadOptions(TokenizerFile: SharedTokenizer.MergesFile)))
            Assert.Equal(SwappedPhotoOfACat, model.Tokenizer!.Encode("a photo of a cat"));
    }

    [Fact]
    public void ModelsHuggingFaceFilesWinOverTheOptionAndTheDefault()
    {
        using var dir = ModelFolder();
        var hf = ClipTokenizerLoadingTests.WriteHuggingFaceFiles();
        File.Copy(Path.Combine(hf, ClipTokenizer.VocabJsonFileName), dir.Sub(ClipTokenizer.VocabJsonFileName));
        // A valid but shorter merge list: "cat</w>" (merge 1857) can no longer be formed, so "cat" splits differently.
        var merges = File.ReadAllLines(Path.Combine(hf, ClipTokenizer.MergesTxtFileName));
        File.WriteAllLines(dir.Sub(ClipTokenizer.MergesTxtFileName), merges.Take(1001), new UTF8Encoding(false));
        var fromFiles = ClipTokenizer.FromVocabAndMerges(dir.Sub(ClipTokenizer.VocabJsonFileName), dir.Sub(ClipTokenizer.MergesTxtFileName));
        var expected = fromFiles.Encode("a photo of a cat");
        Assert.NotEqual(PhotoOfACat, expected);

        using (var model = Load(dir.Path))
            Assert.Equal(expected, model.Tokenizer!.Encode("a photo of a cat"));
        using (var model = Load(dir.Path, new ClipLoadOptions(TokenizerFile: SharedTokenizer.MergesFile)))
            Assert.Equal(expected, model.Tokenizer!.Encode("a photo of a cat"));
    }

    [Fact]
    public void ModelsBuiltWithoutFilesHaveNoTokenizer()
    {
        using var random = ClipModel.CreateRandom(ModelConfigReader.ReadFolder(Golden.TinyA));
        Assert.Null(random.Tokenizer);
        using var fromStateDict = TinyModels.Build(Golden.TinyA, new ClipLoadOptions());
        Assert.Null(fromStateDict.Tokenizer);
    }

    // open_clip's gz with the merges making "photo</w>" and "cat</w>" swapped: still valid, and those two words trade ids.
    private static readonly long[] SwappedPhotoOfACat = [49406, 320, 2368, 539, 320, 1125, 49407];

    private static ClipModel Load(string path, ClipLoadOptions? options = null) =>
        ClipModel.Load(path, options: options, resolve: HubTestSupport.Isolated(Path.GetTempPath(), handler: new NoNetworkHandler()));

    /// <summary>tiny-a's config and weights, and no tokenizer file.</summary>
    private static TempDirectory ModelFolder()
    {
        var dir = new TempDirectory();
        foreach (var name in new[] { "open_clip_config.json", "open_clip_model.safetensors" })
            File.Copy(Path.Combine(Golden.TinyA, name), dir.Sub(name));
        return dir;
    }

    private static string WriteSwappedMergesFile(string path)
    {
        string[] lines;
        using (var gz = new GZipStream(File.OpenRead(SharedTokenizer.MergesFile), CompressionMode.Decompress))
            lines = new StreamReader(gz).ReadToEnd().Split('\n');
        // lines[0] is the header; merge k (0-based) is lines[k + 1] and makes the token with id 512 + k.
        int photo = Array.FindIndex(lines, 1, l => l.Replace(" ", "") == "photo</w>");
        int cat = Array.FindIndex(lines, 1, l => l.Replace(" ", "") == "cat</w>");
        Assert.Equal((1125 - 512 + 1, 2368 - 512 + 1), (photo, cat));
        (lines[photo], lines[cat]) = (lines[cat], lines[photo]);
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return path;
    }
}
