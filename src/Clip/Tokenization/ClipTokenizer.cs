using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;
using TorchSharp;

namespace AnomalyClip.Clip.Tokenization;

/// <summary>
/// open_clip's <c>SimpleTokenizer</c> (the tokenizer of every OpenAI/OpenCLIP ViT CLIP): text cleaning, CLIP's
/// pre-tokenisation regex, byte-level BPE with <c>&lt;/w&gt;</c> word ends (Microsoft.ML.Tokenizers does the merging),
/// start/end tokens, truncation to the context length with the end token kept last, and zero padding.
/// Instances are immutable and thread-safe; BPE results are memoised per pre-token.
/// </summary>
/// <remarks>
/// Cleaning, in open_clip's order: HTML unescape twice (Python <c>html.unescape</c> rules), whitespace collapse as
/// Python <c>" ".join(text.split())</c> (which also splits on U+001C–U+001F), then Python's full Unicode
/// <c>str.lower()</c>. The optional first step of open_clip, <c>ftfy.fix_text</c>, is not applied: the reference ids
/// were produced without ftfy, and for ordinary prompts it changes nothing. Texts it would change (control
/// characters U+000E–U+001F, curly quotes, ligatures and full-width forms, mojibake) therefore tokenise as upstream
/// open_clip does when ftfy is not installed (no NFC, no control-character removal, no quote uncurling, no
/// ligature/width folding, no mojibake repair). Remaining known gaps: HTML-5-only entity names (e.g.
/// <c>&amp;NewLine;</c>) stay undecoded; letter/number classes and case mappings come from .NET's Unicode version.
/// See docs/tokenizer.md.
/// </remarks>
public sealed class ClipTokenizer
{
    /// <summary>Number of token ids CLIP's text tower reads per text (SOT + up to 75 BPE tokens + EOT).</summary>
    public const int ContextLength = 77;

    /// <summary>Id of the start-of-text token (<c>&lt;start_of_text&gt;</c> / <c>&lt;|startoftext|&gt;</c>).</summary>
    public const int StartOfTextId = 49406;

    /// <summary>Id of the end-of-text token (<c>&lt;end_of_text&gt;</c> / <c>&lt;|endoftext|&gt;</c>); the largest id,
    /// which is why CLIP pools the text features at <c>argmax(ids)</c>.</summary>
    public const int EndOfTextId = 49407;

    /// <summary>Number of ids in CLIP's vocabulary (rows of <c>token_embedding.weight</c>).</summary>
    public const int VocabularySize = 49408;

    /// <summary>Id used for padding after the end token (open_clip pads with 0, which is also the token '!').</summary>
    public const int PaddingId = 0;

    /// <summary>File name of open_clip's merges file inside a model folder.</summary>
    public const string OpenClipMergesFileName = "bpe_simple_vocab_16e6.txt.gz";

    /// <summary>File name of a Hugging Face vocabulary inside a model folder.</summary>
    public const string VocabJsonFileName = "vocab.json";

    /// <summary>File name of a Hugging Face merges list inside a model folder.</summary>
    public const string MergesTxtFileName = "merges.txt";

    internal const string EndOfWordSuffix = "</w>";

    // Inputs beyond this many distinct pre-tokens are still encoded, just no longer remembered, so memory stays bounded.
    private const int MaxMemoisedPreTokens = 200_000;

    /// <summary>Manifest name of the embedded copy of open_clip's <c>bpe_simple_vocab_16e6.txt.gz</c>.</summary>
    internal const string EmbeddedMergesResourceName = "AnomalyClip.Clip.Tokenization.bpe_simple_vocab_16e6.txt.gz";

    private static readonly Lazy<ClipTokenizer> DefaultInstance =
        new(LoadEmbeddedDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly BpeTokenizer _bpe;
    private readonly ConcurrentDictionary<string, int[]> _memo = new(StringComparer.Ordinal);

    private ClipTokenizer(BpeTokenizer bpe) => _bpe = bpe;

    /// <summary>
    /// The tokenizer of every OpenAI / OpenCLIP ViT CLIP, built from the copy of open_clip's
    /// <c>bpe_simple_vocab_16e6.txt.gz</c> (the original CLIP BPE merges, MIT licence, OpenAI) embedded in this
    /// assembly, so no tokenizer file is needed. Built on first use, once per process (under a second);
    /// safe to read from any thread, and the instance itself is thread-safe like every <see cref="ClipTokenizer"/>.
    /// Identical ids to <see cref="FromBpeMergesFile"/> on that file.
    /// </summary>
    public static ClipTokenizer Default => DefaultInstance.Value;

    /// <summary>Loads open_clip's <c>bpe_simple_vocab_16e6.txt.gz</c> (gzip; header line, then merges).</summary>
    /// <exception cref="ModelLoadException">The file is missing, not gzip, or has fewer than 48,894 valid merge lines.</exception>
    public static ClipTokenizer FromBpeMergesFile(string bpeSimpleVocabTxtGz) =>
        Create(ClipBpeData.FromOpenClipMergesFile(bpeSimpleVocabTxtGz), bpeSimpleVocabTxtGz);

    /// <summary>Loads the Hugging Face layout (<c>vocab.json</c> + <c>merges.txt</c>) of a CLIP tokenizer.</summary>
    /// <exception cref="ModelLoadException">A file is missing or malformed, or the vocabulary is not CLIP's
    /// (49,408 ids, byte symbols, start/end tokens at 49406/49407).</exception>
    public static ClipTokenizer FromVocabAndMerges(string vocabJson, string mergesTxt) =>
        Create(ClipBpeData.FromHuggingFaceFiles(vocabJson, mergesTxt), mergesTxt);

    /// <summary>
    /// The tokenizer of a model folder, in this order: the folder's own files (<c>bpe_simple_vocab_16e6.txt.gz</c>
    /// if present, else <c>vocab.json</c> + <c>merges.txt</c>); else <paramref name="defaultMergesFile"/> when given;
    /// else <see cref="Default"/>. open_clip checkpoints and many Hugging Face cache folders carry no tokenizer files,
    /// and all CLIP ViTs share the same BPE, so a folder without them still gets the right tokenizer.
    /// </summary>
    /// <param name="dir">The model folder.</param>
    /// <param name="defaultMergesFile">An open_clip merges file used only when the folder has no tokenizer files;
    /// null to use <see cref="Default"/> then.</param>
    /// <exception cref="ModelLoadException">The folder is missing or has only one of vocab.json/merges.txt, or a chosen
    /// file cannot be loaded.</exception>
    public static ClipTokenizer FromModelFolder(string dir, string? defaultMergesFile = null)
    {
        if (!Directory.Exists(dir)) throw new ModelLoadException(dir, "model folder not found");
        var gz = Path.Combine(dir, OpenClipMergesFileName);
        if (File.Exists(gz)) return FromBpeMergesFile(gz);
        var vocab = Path.Combine(dir, VocabJsonFileName);
        var merges = Path.Combine(dir, MergesTxtFileName);
        var hasVocab = File.Exists(vocab);
        var hasMerges = File.Exists(merges);
        if (hasVocab && hasMerges) return FromVocabAndMerges(vocab, merges);
        if (hasVocab || hasMerges)
            throw new ModelLoadException(dir, $"has {(hasVocab ? VocabJsonFileName : MergesTxtFileName)} but not {(hasVocab ? MergesTxtFileName : VocabJsonFileName)}");
        return defaultMergesFile is not null ? FromBpeMergesFile(defaultMergesFile) : Default;
    }

    /// <summary>Token ids of one text: <see cref="StartOfTextId"/>, the BPE ids, <see cref="EndOfTextId"/>;
    /// neither truncated nor padded. A literal <c>&lt;start_of_text&gt;</c>/<c>&lt;end_of_text&gt;</c> in the text
    /// becomes the special id, as in open_clip.</summary>
    /// <exception cref="ArgumentException">The text contains an unpaired UTF-16 surrogate (not encodable as UTF-8).</exception>
    public long[] Encode(string text)
    {
        var ids = new List<long> { StartOfTextId };
        AppendBpeIds(text, ids);
        ids.Add(EndOfTextId);
        return [.. ids];
    }

    /// <summary>
    /// Batch encoding as open_clip's <c>tokenize</c>: one row per text, each <see cref="Encode"/> cut to
    /// <paramref name="contextLength"/> ids with the last one forced to <see cref="EndOfTextId"/> when longer, and
    /// right-padded with <see cref="PaddingId"/>.
    /// </summary>
    /// <returns>Token ids, shape [texts.Count, contextLength].</returns>
    public long[,] TokenizeToArray(IReadOnlyList<string> texts, int contextLength = ContextLength)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 2);
        var result = new long[texts.Count, contextLength];
        for (var row = 0; row < texts.Count; row++)
        {
            var ids = Encode(texts[row]);
            var n = Math.Min(ids.Length, contextLength);
            for (var k = 0; k < n; k++) result[row, k] = ids[k];
            if (ids.Length > contextLength) result[row, contextLength - 1] = EndOfTextId;
        }
        return result;
    }

    /// <summary>As <see cref="TokenizeToArray"/>, as an int64 tensor of shape [texts.Count, contextLength] on
    /// <paramref name="device"/> (CPU when null), ready for the text encoder.</summary>
    public torch.Tensor Tokenize(IReadOnlyList<string> texts, int contextLength = ContextLength, torch.Device? device = null) =>
        torch.tensor(TokenizeToArray(texts, contextLength), torch.int64, device);

    private void AppendBpeIds(string text, List<long> ids)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = new List<string>();
        ClipPreTokenizer.Split(Clean(text), pieces);
        foreach (var piece in pieces)
        {
            if (piece == ClipPreTokenizer.StartOfText) ids.Add(StartOfTextId);
            else if (piece == ClipPreTokenizer.EndOfText) ids.Add(EndOfTextId);
            else foreach (var id in BpeIds(piece)) ids.Add(id);
        }
    }

    /// <summary>open_clip's <c>clean='lower'</c> cleaning without ftfy (see the class remarks).</summary>
    internal static string Clean(string text) =>
        PythonText.Lower(PythonText.CollapseWhitespace(PythonHtml.Unescape(PythonHtml.Unescape(text))));

    private int[] BpeIds(string piece)
    {
        if (_memo.TryGetValue(piece, out var cached)) return cached;
        var ids = _bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false).ToArray();
        if (_memo.Count < MaxMemoisedPreTokens) _memo.TryAdd(piece, ids);
        return ids;
    }

    private static ClipTokenizer LoadEmbeddedDefault()
    {
        using var stream = typeof(ClipTokenizer).Assembly.GetManifestResourceStream(EmbeddedMergesResourceName)
            ?? throw new InvalidOperationException($"{typeof(ClipTokenizer).Assembly.GetName().Name} lacks its embedded resource {EmbeddedMergesResourceName}");
        var source = $"{typeof(ClipTokenizer).Assembly.GetName().Name}:{OpenClipMergesFileName} (embedded)";
        return Create(ClipBpeData.FromOpenClipMerges(stream, source), source);
    }

    private static ClipTokenizer Create(ClipBpeData data, string sourcePath)
    {
        BpeTokenizer bpe;
        try
        {
            bpe = BpeTokenizer.Create(new BpeOptions(data.Vocabulary)
            {
                Merges = data.Merges,
                EndOfWordSuffix = EndOfWordSuffix,
                ByteLevel = true,
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelLoadException(sourcePath, $"the BPE vocabulary/merges are inconsistent: {e.Message}", e);
        }
        return new ClipTokenizer(bpe);
    }
}
