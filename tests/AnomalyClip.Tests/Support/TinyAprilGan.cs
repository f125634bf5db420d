using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Inference.Detection;

namespace AnomalyClip.Tests.Support;

/// <summary>The golden APRIL-GAN setting on tiny-a: 48 px, exact GELU, taps 1-4, the golden linear layers.</summary>
public static class TinyAprilGan
{
    /// <summary>Metadata to import the golden APRIL-GAN checkpoint with.</summary>
    public static AdapterMetadata Metadata { get; } = new("tiny-a", [1, 2, 3, 4], 48, "gelu", 64, 32);

    private static readonly Lazy<ClipTokenizer> TokenizerLazy = new(() => ClipTokenizer.FromBpeMergesFile(Golden.PathOf("bpe_simple_vocab_16e6.txt.gz")));
    private static readonly Lazy<AdapterWeights> AdapterLazy = new(() => AdapterWeights.Load(Golden.PathOf("aprilgan_linear_layers.pth"), importAs: Metadata));
    private static readonly Lazy<ZeroShotDetector> DetectorLazy = new(() => ZeroShotDetector.Create(TinyModels.AprilGan, Adapter, Tokenizer));

    /// <summary>CLIP's tokenizer from the golden merges file.</summary>
    public static ClipTokenizer Tokenizer => TokenizerLazy.Value;

    /// <summary>The golden linear layers (shared; never dispose).</summary>
    public static AdapterWeights Adapter => AdapterLazy.Value;

    /// <summary>A paper-default zero-shot detector (shared; never dispose).</summary>
    public static ZeroShotDetector Detector => DetectorLazy.Value;

    /// <summary>The command-line options that load this setting (model, tokenizer, adapter, taps, size).</summary>
    public static string[] CliArgs =>
    [
        "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"),
        "--adapter", Golden.PathOf("aprilgan_linear_layers.pth"), "--taps", "1,2,3,4", "--image-size", "48",
    ];

    /// <summary>Class name of each golden test image, in test order.</summary>
    public static string[] TestClasses =>
        Golden.Manifest["aprilgan"]!["test_dataset"]!["cls_names"]!.AsArray().Select(n => (string)n!).ToArray();
}
