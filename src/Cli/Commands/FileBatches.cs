using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Predicts image files in order, in batches, with a zero-shot detector or (when given) a few-shot one, showing
/// progress. Used by <c>predict</c> and <c>calibrate</c>.
/// </summary>
internal static class FileBatches
{
    /// <summary>
    /// Decodes and predicts <paramref name="files"/>; <paramref name="onResult"/> receives each file's index, result and
    /// decoded image. An unreadable file goes to <paramref name="onUnreadable"/> and is skipped; without that callback
    /// its <see cref="ImageLoadException"/> propagates.
    /// </summary>
    public static void Predict(IReadOnlyList<string> files, string? className, ZeroShotDetector zeroShot, FewShotDetector? fewShot, string label,
        Action<int, AnomalyResult, DecodedImage> onResult, Action<ImageLoadException>? onUnreadable = null)
    {
        var bar = new TerminalProgress(label);
        int batchSize = Math.Max(1, zeroShot.Options.BatchSize);
        var pending = new List<(int Index, DecodedImage Image)>();
        void Flush()
        {
            if (pending.Count == 0) return;
            var images = pending.Select(p => p.Image).ToArray();
            var sources = pending.Select(p => (string?)files[p.Index]).ToArray();
            var results = fewShot?.PredictBatch(images, className, sources) ?? zeroShot.PredictBatch(images, className, sources);
            for (int i = 0; i < results.Count; i++) onResult(pending[i].Index, results[i], pending[i].Image);
            pending.Clear();
        }
        for (int i = 0; i < files.Count; i++)
        {
            try
            {
                pending.Add((i, zeroShot.Decoder.Decode(files[i])));
            }
            catch (ImageLoadException ex) when (onUnreadable is not null)
            {
                onUnreadable(ex);
                Console.Error.WriteLine($"skipped: {ex.Message}");
            }
            if (pending.Count >= batchSize) Flush();
            bar.Report(i + 1, files.Count, Path.GetFileName(files[i]));
        }
        Flush();
    }
}
