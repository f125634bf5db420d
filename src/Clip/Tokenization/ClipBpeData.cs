using System.IO.Compression;
using System.Text.Json;

namespace AnomalyClip.Clip.Tokenization;

/// <summary>A CLIP BPE vocabulary (token → id) with its merge list in rank order ("left right" per entry).</summary>
internal sealed record ClipBpeData(Dictionary<string, int> Vocabulary, List<string> Merges)
{
    /// <summary>Number of merges CLIP uses: 49,408 ids − 512 byte symbols − 2 special tokens.</summary>
    public const int MergeCount = ClipTokenizer.VocabularySize - 512 - 2;

    /// <summary>
    /// Reads open_clip's <c>bpe_simple_vocab_16e6.txt.gz</c>: skips the header line, takes merge lines 1..48,894 and
    /// builds the vocabulary in code (byte symbols, the same with <c>&lt;/w&gt;</c>, merge concatenations, then the
    /// two special tokens), exactly as <c>SimpleTokenizer.__init__</c> does.
    /// </summary>
    public static ClipBpeData FromOpenClipMergesFile(string path)
    {
        FileStream file;
        try
        {
            file = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, $"cannot read the gzip BPE merges file: {e.Message}", e);
        }
        using (file) return FromOpenClipMerges(file, path);
    }

    // Every CLIP tokenizer file is a few MB at most; anything far larger is not one.
    private const long MaxFileBytes = 32L << 20;

    /// <summary>As <see cref="FromOpenClipMergesFile"/>, from a stream of the gzip file (left open);
    /// <paramref name="source"/> names it in errors.</summary>
    public static ClipBpeData FromOpenClipMerges(Stream gzipStream, string source)
    {
        var merges = new List<string>(MergeCount);
        try
        {
            using var gz = new GZipStream(gzipStream, CompressionMode.Decompress, leaveOpen: true);
            // open_clip's file inflates to 1.4 MB; a bound stops a gzip bomb long before memory does.
            using var reader = new StreamReader(new IO.BoundedReadStream(gz, MaxFileBytes, "the BPE merges file"));
            if (reader.ReadLine() is null) throw new ModelLoadException(source, "is empty; expected a gzip BPE merges file");
            string? line;
            while (merges.Count < MergeCount && (line = reader.ReadLine()) is not null)
            {
                CheckMergeLine(source, line, merges.Count + 2);
                merges.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(source, $"cannot read the gzip BPE merges file: {e.Message}", e);
        }
        if (merges.Count < MergeCount)
            throw new ModelLoadException(source, $"has only {merges.Count} merge lines after the header; CLIP needs {MergeCount}");

        var vocab = new Dictionary<string, int>(ClipTokenizer.VocabularySize, StringComparer.Ordinal);
        foreach (var s in ByteLevelAlphabet.SymbolsInVocabularyOrder) vocab.Add(s, vocab.Count);
        foreach (var s in ByteLevelAlphabet.SymbolsInVocabularyOrder) vocab.Add(s + ClipTokenizer.EndOfWordSuffix, vocab.Count);
        foreach (var merge in merges)
        {
            var concatenated = merge.Replace(" ", "", StringComparison.Ordinal);
            if (!vocab.TryAdd(concatenated, vocab.Count))
                throw new ModelLoadException(source, $"merge '{merge}' produces the token '{concatenated}' twice");
        }
        vocab.Add(ClipPreTokenizer.StartOfText, ClipTokenizer.StartOfTextId);
        vocab.Add(ClipPreTokenizer.EndOfText, ClipTokenizer.EndOfTextId);
        return new ClipBpeData(vocab, merges);
    }

    /// <summary>
    /// Reads the Hugging Face layout: <c>vocab.json</c> (token → id) and <c>merges.txt</c> (optional <c>#version</c>
    /// header, then one merge per line). The vocabulary must be CLIP's: 49,408 ids, every byte symbol with and without
    /// <c>&lt;/w&gt;</c>, and the start/end tokens (<c>&lt;|startoftext|&gt;</c> or <c>&lt;start_of_text&gt;</c>, and
    /// likewise for the end) at 49406/49407.
    /// </summary>
    public static ClipBpeData FromHuggingFaceFiles(string vocabJsonPath, string mergesTxtPath)
    {
        foreach (var file in new[] { vocabJsonPath, mergesTxtPath })
            if (File.Exists(file) && new FileInfo(file).Length > MaxFileBytes)
                throw new ModelLoadException(file, $"is larger than {MaxFileBytes >> 20} MB: not a CLIP tokenizer file");
        Dictionary<string, int>? vocab;
        try
        {
            using var stream = File.OpenRead(vocabJsonPath);
            vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(stream);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(vocabJsonPath, $"cannot read the vocabulary (a JSON object of token → id): {e.Message}", e);
        }
        if (vocab is null) throw new ModelLoadException(vocabJsonPath, "holds null instead of a token → id object");
        CheckHuggingFaceVocabulary(vocabJsonPath, vocab);

        var merges = new List<string>(MergeCount);
        try
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(mergesTxtPath))
            {
                lineNumber++;
                if (lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)) continue;
                if (line.Length == 0) continue;
                CheckMergeLine(mergesTxtPath, line, lineNumber);
                merges.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(mergesTxtPath, $"cannot read the merges file: {e.Message}", e);
        }
        if (merges.Count == 0) throw new ModelLoadException(mergesTxtPath, "has no merges");
        foreach (var merge in merges)
            if (!vocab.ContainsKey(merge.Replace(" ", "", StringComparison.Ordinal)))
                throw new ModelLoadException(mergesTxtPath, $"merge '{merge}' produces a token missing from {Path.GetFileName(vocabJsonPath)}");
        return new ClipBpeData(new Dictionary<string, int>(vocab, StringComparer.Ordinal), merges);
    }

    private static void CheckHuggingFaceVocabulary(string path, Dictionary<string, int> vocab)
    {
        if (vocab.Count != ClipTokenizer.VocabularySize)
            throw new ModelLoadException(path, $"has {vocab.Count} tokens; a CLIP vocabulary has {ClipTokenizer.VocabularySize}");
        foreach (var s in ByteLevelAlphabet.SymbolsInVocabularyOrder)
            if (!vocab.ContainsKey(s) || !vocab.ContainsKey(s + ClipTokenizer.EndOfWordSuffix))
                throw new ModelLoadException(path, $"lacks the byte symbol '{s}' (with or without {ClipTokenizer.EndOfWordSuffix}); not a byte-level CLIP vocabulary");
        CheckSpecial(path, vocab, ClipTokenizer.StartOfTextId, "<|startoftext|>", ClipPreTokenizer.StartOfText);
        CheckSpecial(path, vocab, ClipTokenizer.EndOfTextId, "<|endoftext|>", ClipPreTokenizer.EndOfText);
    }

    private static void CheckSpecial(string path, Dictionary<string, int> vocab, int expectedId, params string[] names)
    {
        foreach (var name in names)
            if (vocab.TryGetValue(name, out var id))
            {
                if (id != expectedId) throw new ModelLoadException(path, $"maps {name} to {id}; CLIP expects {expectedId}");
                return;
            }
        throw new ModelLoadException(path, $"has none of the special tokens {string.Join(" / ", names)}");
    }

    private static void CheckMergeLine(string path, string line, int lineNumber)
    {
        var space = line.IndexOf(' ');
        if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0)
            throw new ModelLoadException(path, $"line {lineNumber} is not a merge of two space-separated symbols: '{line}'");
    }
}
