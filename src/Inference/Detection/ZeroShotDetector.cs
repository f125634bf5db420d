using System.Runtime.CompilerServices;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Clip.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>
/// APRIL-GAN's zero-shot detector: projected patch tokens against per-class text features give the anomaly map
/// (sum over the adapter's layers), the pooled image embedding against the same text features gives the score.
/// </summary>
public sealed class ZeroShotDetector : IDisposable
{
    private ZeroShotDetector(DetectorCore core) => Core = core;

    internal DetectorCore Core { get; }

    /// <summary>The CLIP backbone.</summary>
    public ClipModel Clip => Core.Clip;

    /// <summary>The trained linear layers and their metadata.</summary>
    public AdapterWeights Adapter => Core.Adapter;

    /// <summary>The per-class text-feature cache.</summary>
    public TextFeatures TextFeatures => Core.Text;

    /// <summary>The options in force.</summary>
    public AprilGanOptions Options => Core.Options;

    /// <summary>The image decoder (pixel limits) used for file inputs.</summary>
    public ImageDecoder Decoder => Core.Decoder;

    /// <summary>Side in pixels of the maps (the model's input side).</summary>
    public int ImageSize => Core.ImageSize;

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

    /// <summary>Decodes <paramref name="imagePath"/> and predicts.</summary>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">The image cannot be read.</exception>
    public AnomalyResult Predict(string imagePath, string? className = null) => Predict(Core.Decoder.Decode(imagePath), className, imagePath);

    /// <summary>Predicts one decoded image.</summary>
    public AnomalyResult Predict(DecodedImage image, string? className = null, string? source = null) =>
        PredictBatch([image], className, [source])[0];

    /// <summary>Predicts decoded images of one class in batches of <see cref="AprilGanOptions.BatchSize"/>.</summary>
    public IReadOnlyList<AnomalyResult> PredictBatch(IReadOnlyList<DecodedImage> images, string? className = null, IReadOnlyList<string?>? sources = null)
    {
        var results = new List<AnomalyResult>(images.Count);
        int batch = Math.Max(1, Options.BatchSize);
        for (int start = 0; start < images.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            var chunk = images.Skip(start).Take(batch).ToArray();
            var input = Core.Batch(chunk);
            results.AddRange(PredictTensor(input, Enumerable.Repeat(className, chunk.Length).ToArray(),
                sources?.Skip(start).Take(chunk.Length).ToArray(), chunk.Select(c => (c.Width, c.Height)).ToArray()));
        }
        return results;
    }

    /// <summary>
    /// Predicts already-preprocessed images [N,3,S,S] (normalised as the model expects), one class name per image.
    /// </summary>
    public IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames, IReadOnlyList<string?>? sources = null,
        IReadOnlyList<(int Width, int Height)>? originalSizes = null)
    {
        using var outputs = Core.Forward(images, classNames);
        return ResultFactory.Create(outputs, classNames, sources, originalSizes, (i, p, m) => ZeroShotScore(p, m));
    }

    /// <summary>Streams predictions over image files as they are read; unreadable files raise <see cref="AnomalyClip.Clip.ImageLoadException"/>.</summary>
    public async IAsyncEnumerable<AnomalyResult> PredictStreamAsync(IAsyncEnumerable<string> imagePaths, string? className = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var path in imagePaths.WithCancellation(cancellationToken))
        {
            var image = await Task.Run(() => Core.Decoder.Decode(path), cancellationToken).ConfigureAwait(false);
            yield return Predict(image, className, path);
        }
    }

    private double ZeroShotScore(double textProbability, AnomalyMap map) =>
        Options.FuseMapMax ? 0.5 * (textProbability + map.Max / (Options.AverageLayers ? 1.0 : Adapter.Metadata.Taps.Count)) : textProbability;

    /// <inheritdoc />
    public void Dispose() => Core.Text.Dispose();
}
