using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Features;

/// <summary>
/// Patch features from CLIP's vision tower: the raw residual stream after each tapped 1-based block (CLS dropped,
/// no LayerNorm, no projection), as APRIL-GAN's memory banks use them; layers are named <c>block{n}</c>.
/// Images are squashed to the model's input size (APRIL-GAN's transform).
/// </summary>
public sealed class ClipPatchFeatureSource : IPatchFeatureSource
{
    private readonly ClipModel _clip;
    private readonly int[] _taps;
    private readonly ClipPreprocessor _preprocessor;

    /// <summary>Features of <paramref name="taps"/> (1-based blocks) of <paramref name="clip"/> (not owned).</summary>
    public ClipPatchFeatureSource(ClipModel clip, IReadOnlyList<int> taps)
    {
        ArgumentNullException.ThrowIfNull(clip);
        if (taps.Count == 0) throw new ArgumentException("give at least one tapped block", nameof(taps));
        _clip = clip;
        _taps = taps.ToArray();
        _preprocessor = new ClipPreprocessor(ClipTransformOptions.FromConfig(clip.Config.Preprocess, clip.ImageSize, ResizeMode.Squash));
        LayerNames = _taps.Select(LayerName).ToArray();
    }

    /// <summary>The layer name of 1-based block <paramref name="tap"/>: <c>block{tap}</c>.</summary>
    public static string LayerName(int tap) => $"block{tap}";

    /// <inheritdoc />
    public string Description => $"{_clip.Config.Name} tokens after blocks {string.Join(",", _taps)}";

    /// <inheritdoc />
    public int InputSize => _clip.ImageSize;

    /// <inheritdoc />
    public Device Device => _clip.Device;

    /// <inheritdoc />
    public IReadOnlyList<string> LayerNames { get; }

    /// <inheritdoc />
    public PatchMetric Metric => PatchMetric.Cosine;

    /// <inheritdoc />
    public Tensor Preprocess(IReadOnlyList<DecodedImage> images) => _preprocessor.ToBatch(images, _clip.Device);

    /// <inheritdoc />
    public PatchFeatures Extract(Tensor images)
    {
        using var grad = no_grad();
        using var enc = _clip.EncodeImage(images, _taps, pooled: false);
        return FromEncoding(enc, _taps);
    }

    /// <summary>
    /// The features of <paramref name="taps"/> out of an encoding that tapped (at least) those blocks, so one encoder
    /// pass can serve the zero-shot maps and the memory banks. The result is float32 and owns its tensors.
    /// </summary>
    public static PatchFeatures FromEncoding(ImageEncoding encoding, IReadOnlyList<int> taps)
    {
        var layers = new Tensor[taps.Count];
        for (int i = 0; i < taps.Count; i++)
        {
            int at = IndexOf(encoding.Taps, taps[i]);
            layers[i] = encoding.Tokens[at][.., 1.., ..].to_type(ScalarType.Float32).contiguous();
        }
        return new PatchFeatures(taps.Select(LayerName).ToArray(), layers);
    }

    private static int IndexOf(IReadOnlyList<int> taps, int tap)
    {
        for (int i = 0; i < taps.Count; i++) if (taps[i] == tap) return i;
        throw new ArgumentException($"block {tap} is not among the tapped blocks {string.Join(",", taps)}");
    }
}
