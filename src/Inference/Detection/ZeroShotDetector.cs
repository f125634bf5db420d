using System.Globalization;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Clip.Tokenization;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>
/// APRIL-GAN's zero-shot detector: projected patch tokens against per-class text features give the anomaly map
/// (sum over the adapter's layers), the pooled image embedding against the same text features gives the score.
/// </summary>
/// <remarks>Ownership: the detector owns its text-feature cache only; the CLIP model and the adapter stay the
/// caller's and must outlive the detector.</remarks>
public sealed class ZeroShotDetector : AnomalyDetector
{
    private ZeroShotDetector(DetectorCore core) => Core = core;

    internal DetectorCore Core { get; }

    /// <summary>The CLIP backbone (not owned).</summary>
    public ClipModel Clip => Core.Clip;

    /// <summary>The trained linear layers and their metadata (not owned).</summary>
    public AdapterWeights Adapter => Core.Adapter;

    /// <summary>The per-class text-feature cache (owned).</summary>
    public TextFeatures TextFeatures => Core.Text;

    /// <summary>The options in force.</summary>
    public AprilGanOptions Options => Core.Options;

    /// <inheritdoc />
    public override ImageDecoder Decoder => Core.Decoder;

    /// <inheritdoc />
    public override int MapSize => Core.ImageSize;

    /// <inheritdoc />
    public override int BatchSize => Math.Max(1, Options.BatchSize);

    /// <inheritdoc />
    public override Device Device => Clip.Device;

    /// <inheritdoc />
    public override string ScoreDescription => Options.FuseMapMax
        ? "0.5*(text probability + max of the layer-averaged map)"
        : "text probability (softmax of 100*cos(pooled image embedding, class text features), abnormal column)";

    /// <inheritdoc />
    public override string MapDescription => (Options.AverageLayers ? "mean" : "sum") + " over layers of the text-patch abnormal probability" + SmoothingNote(Options);

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, string>> Settings => ClipSettings(Core);

    /// <inheritdoc />
    public override (double Min, double Max)? MapRange(string? className) => (0, Options.AverageLayers ? 1 : Adapter.Metadata.Taps.Count);

    /// <summary>
    /// Creates a detector. The model must run at the adapter's image size (load it with that size) and match its widths.
    /// </summary>
    /// <param name="clip">The CLIP backbone (not owned).</param>
    /// <param name="adapter">The trained linear layers (not owned).</param>
    /// <param name="tokenizer">The model's tokenizer; the one loaded with the model when null. Without any, text features
    /// must be supplied through <see cref="TextFeatures"/>.<see cref="TextFeatures.Set"/>.</param>
    /// <param name="options">Options; <see cref="AprilGanOptions.Paper"/> when null.</param>
    /// <param name="prompts">Prompt ensemble; the paper's when null.</param>
    /// <param name="readableNames">Make class names readable in prompts ("metal_nut" → "metal nut").</param>
    /// <param name="decoder">Image decoder (pixel limits); the default when null.</param>
    /// <exception cref="AdapterLoadException">The adapter does not fit the backbone.</exception>
    public static ZeroShotDetector Create(ClipModel clip, AdapterWeights adapter, ClipTokenizer? tokenizer = null, AprilGanOptions? options = null,
        PromptSet? prompts = null, bool readableNames = false, ImageDecoder? decoder = null)
    {
        tokenizer ??= clip.Tokenizer;
        var text = new TextFeatures(clip, tokenizer, prompts, readableNames);
        return new ZeroShotDetector(new DetectorCore(clip, adapter, text, options ?? AprilGanOptions.Paper, decoder));
    }

    /// <inheritdoc />
    public override Tensor Preprocess(IReadOnlyList<DecodedImage> images) => Core.Features.Preprocess(images);

    /// <inheritdoc />
    public override IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        using var outputs = Core.Forward(images, classNames);
        return ResultFactory.Create(outputs.Map, outputs.TextProbs, classNames, sources, originalSizes, (_, p, map) => Score(p!.Value, map));
    }

    // The one place the zero-shot image score is decided.
    private double Score(double textProbability, AnomalyMap map) =>
        Options.FuseMapMax ? 0.5 * (textProbability + map.Max / (Options.AverageLayers ? 1.0 : Adapter.Metadata.Taps.Count)) : textProbability;

    internal static string SmoothingNote(AprilGanOptions o) =>
        o.SmoothingSigma > 0 ? string.Create(CultureInfo.InvariantCulture, $", gaussian sigma {o.SmoothingSigma}") : "";

    internal static List<KeyValuePair<string, string>> ClipSettings(DetectorCore core)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            new("backbone", core.Clip.Config.Name),
            new("image_size", core.ImageSize.ToString(inv)),
            new("taps", string.Join(",", core.Adapter.Metadata.Taps)),
            new("activation", core.Adapter.Metadata.Activation),
            new("logit_scale", core.Options.LogitScale.ToString("R", inv)),
            new("batch_size", Math.Max(1, core.Options.BatchSize).ToString(inv)),
        ];
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Core.Text.Dispose();
    }
}
