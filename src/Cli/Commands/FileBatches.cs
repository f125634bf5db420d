using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Clip;
using AnomalyClip.Inference.Detection;

namespace AnomalyClip.Cli.Commands;

/// <summary>A detector's run over image files (<see cref="AnomalyDetector.PredictFiles"/>) with a progress bar and skipped files reported on stderr.</summary>
internal static class FileBatches
{
    /// <summary>
    /// Predicts <paramref name="files"/> in order; an unreadable file goes to <paramref name="onUnreadable"/> (and
    /// stderr) and is skipped; without that callback its <see cref="ImageLoadException"/> propagates.
    /// </summary>
    public static IEnumerable<FilePrediction> Predict(AnomalyDetector detector, IReadOnlyList<string> files, string? className, string label,
        Action<ImageLoadException>? onUnreadable = null) =>
        detector.PredictFiles(files, className, Skip(onUnreadable), Bar(label));

    /// <summary>Progress of a file run as a terminal bar (plain lines in logs).</summary>
    public static IProgress<FileProgress> Bar(string label)
    {
        var bar = new TerminalProgress(label);
        return new SyncProgress<FileProgress>(p => bar.Report(p.Done, p.Total, Path.GetFileName(p.File)));
    }

    private static Action<ImageLoadException>? Skip(Action<ImageLoadException>? onUnreadable) => onUnreadable is null ? null : e =>
    {
        onUnreadable(e);
        Console.Error.WriteLine($"skipped: {e.Message}");
    };
}
