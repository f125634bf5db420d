using System.Runtime.CompilerServices;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>
/// What every detector is to its callers (the CLI, evaluation runs, calibration, apps): images in, an
/// <see cref="AnomalyResult"/> per image out (score, S×S map), one at a time, in batches, as tensors or as a stream.
/// Implementations only say how a preprocessed batch is scored; batching, decoding and streaming live here once.
/// </summary>
/// <remarks>
/// Every batch runs inside a TorchSharp dispose scope and results are managed arrays, so a loop over any number of
/// images holds flat native memory. Instances are not thread-safe: use one per thread, or serialise calls.
/// </remarks>
public abstract class AnomalyDetector : IDisposable
{
    /// <summary>The image decoder (pixel limits) used for file inputs.</summary>
    public abstract ImageDecoder Decoder { get; }

    /// <summary>Side in pixels of the square maps (and of the model input images are resized to).</summary>
    public abstract int MapSize { get; }

    /// <summary>Images per forward pass in <see cref="PredictBatch"/>, <see cref="PredictFiles"/> and streaming.</summary>
    public abstract int BatchSize { get; }

    /// <summary>The device the detector computes on.</summary>
    public abstract Device Device { get; }

    /// <summary>What <see cref="AnomalyResult.Score"/> means, in one line (recorded with results).</summary>
    public abstract string ScoreDescription { get; }

    /// <summary>What the map is, in one line (recorded with results).</summary>
    public abstract string MapDescription { get; }

    /// <summary>The detector's settings as name/value pairs (backbone, sizes, layers, ...), recorded with results.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>
    /// The range [min, max] the maps of <paramref name="className"/> normally lie in, for heatmaps on a fixed colour
    /// scale; null when the detector has no fixed range (colour each map by its own min-max).
    /// </summary>
    public virtual (double Min, double Max)? MapRange(string? className) => null;

    /// <summary>Decoded images to the model's input batch [N, 3, S, S] on <see cref="Device"/>.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public abstract Tensor Preprocess(IReadOnlyList<DecodedImage> images);

    /// <summary>
    /// Scores already-preprocessed images [N, 3, S, S] (as <see cref="Preprocess"/> makes them), one class name per
    /// image; <paramref name="originalSizes"/> (width, height) lets results resize their maps back.
    /// </summary>
    public abstract IReadOnlyList<AnomalyResult> PredictTensor(Tensor images, IReadOnlyList<string?> classNames,
        IReadOnlyList<string?>? sources = null, IReadOnlyList<(int Width, int Height)>? originalSizes = null);

    /// <summary>Decodes <paramref name="imagePath"/> and predicts.</summary>
    /// <exception cref="ImageLoadException">The image cannot be read.</exception>
    public AnomalyResult Predict(string imagePath, string? className = null) => Predict(Decoder.Decode(imagePath), className, imagePath);

    /// <summary>Predicts one decoded image.</summary>
    public AnomalyResult Predict(DecodedImage image, string? className = null, string? source = null) =>
        PredictBatch([image], className, [source])[0];

    /// <summary>Predicts decoded images of one class, <see cref="BatchSize"/> per forward pass.</summary>
    public IReadOnlyList<AnomalyResult> PredictBatch(IReadOnlyList<DecodedImage> images, string? className = null, IReadOnlyList<string?>? sources = null)
    {
        var results = new List<AnomalyResult>(images.Count);
        int batch = Math.Max(1, BatchSize);
        for (int start = 0; start < images.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            var chunk = images.Skip(start).Take(batch).ToArray();
            results.AddRange(PredictTensor(Preprocess(chunk), Enumerable.Repeat(className, chunk.Length).ToArray(),
                sources?.Skip(start).Take(chunk.Length).ToArray(), chunk.Select(c => (c.Width, c.Height)).ToArray()));
        }
        return results;
    }

    /// <summary>
    /// Decodes and predicts image files in order, <see cref="BatchSize"/> per forward pass, yielding each file's
    /// result with its index and decoded image as soon as its batch is done (nothing is kept). An unreadable file
    /// goes to <paramref name="onUnreadable"/> and is left out; without that callback its
    /// <see cref="ImageLoadException"/> propagates. <paramref name="progress"/> hears of every file read.
    /// </summary>
    public IEnumerable<FilePrediction> PredictFiles(IReadOnlyList<string> paths, string? className = null,
        Action<ImageLoadException>? onUnreadable = null, IProgress<FileProgress>? progress = null)
    {
        int batch = Math.Max(1, BatchSize);
        var pending = new List<(int Index, DecodedImage Image)>(batch);
        for (int i = 0; i < paths.Count; i++)
        {
            try
            {
                pending.Add((i, Decoder.Decode(paths[i])));
            }
            catch (ImageLoadException e) when (onUnreadable is not null)
            {
                onUnreadable(e);
            }
            progress?.Report(new FileProgress(i + 1, paths.Count, paths[i]));
            if (pending.Count < batch && i < paths.Count - 1) continue;
            if (pending.Count == 0) continue;
            var results = PredictBatch(pending.Select(p => p.Image).ToArray(), className, pending.Select(p => (string?)paths[p.Index]).ToArray());
            for (int j = 0; j < results.Count; j++) yield return new FilePrediction(pending[j].Index, paths[pending[j].Index], results[j], pending[j].Image);
            pending.Clear();
        }
    }

    /// <summary>Streams predictions over image files as they arrive; unreadable files raise <see cref="ImageLoadException"/>.</summary>
    public async IAsyncEnumerable<AnomalyResult> PredictStreamAsync(IAsyncEnumerable<string> imagePaths, string? className = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var path in imagePaths.WithCancellation(cancellationToken))
        {
            var image = await Task.Run(() => Decoder.Decode(path), cancellationToken).ConfigureAwait(false);
            yield return Predict(image, className, path);
        }
    }

    /// <summary>Releases what the detector owns (see the implementation's docs for what that is).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases owned resources.</summary>
    protected abstract void Dispose(bool disposing);
}
