using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;

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

    /// <summary>
    /// The command-line options that load this setting (model, tokenizer, adapter, taps, size) in fp32, which the
    /// goldens need whatever <c>--dtype auto</c> would pick on the machine.
    /// </summary>
    public static string[] CliArgs =>
    [
        "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"),
        "--adapter", Golden.PathOf("aprilgan_linear_layers.pth"), "--taps", "1,2,3,4", "--image-size", "48", "--dtype", "fp32",
    ];

    /// <summary>
    /// The golden few-shot memory banks (bottle, screw; k = 2, the reference's own references) built with
    /// <paramref name="clip"/>, their rows in its compute dtype as the few-shot detector stores them.
    /// </summary>
    public static List<MemoryBank> GoldenBanks(ClipModel clip)
    {
        var refs = Golden.AprilGan("aprilgan/few_shot/reference_images");
        var names = Golden.Manifest["aprilgan"]!["test_dataset"]!["k_shot_reference_images"]!.AsArray().Select(n => (string)n!).ToArray();
        int[] taps = [1, 2, 3, 4];
        var banks = new List<MemoryBank>();
        foreach (var (cls, start) in new[] { ("bottle", 0), ("screw", 2) })
        {
            using var enc = clip.EncodeImage(refs[start..(start + 2)], taps, pooled: false);
            using var features = ClipPatchFeatureSource.FromEncoding(enc, taps);
            banks.Add(MemoryBank.FromFeatures(cls, PatchMetric.Cosine, features, names[start..(start + 2)], clip.DType));
        }
        return banks;
    }

    /// <summary>Class name of each golden test image, in test order.</summary>
    public static string[] TestClasses =>
        Golden.Manifest["aprilgan"]!["test_dataset"]!["cls_names"]!.AsArray().Select(n => (string)n!).ToArray();
}
