using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Tests.Support;

namespace AnomalyClip.Tests.Clip.Tokenization;

/// <summary>One tokenizer built from the golden merges file, shared by the tests (it is immutable and thread-safe).</summary>
internal static class SharedTokenizer
{
    private static readonly Lazy<ClipTokenizer> Instance = new(() => ClipTokenizer.FromBpeMergesFile(MergesFile));

    public static string MergesFile => Golden.PathOf("bpe_simple_vocab_16e6.txt.gz");

    public static ClipTokenizer Get => Instance.Value;
}
