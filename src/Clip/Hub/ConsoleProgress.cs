using System.Globalization;

namespace AnomalyClip.Clip.Hub;

/// <summary>
/// Renders <see cref="DownloadProgress"/> as text: on a terminal one bar per file, redrawn in place at each whole
/// percent; in logs and CI plain lines (start, every 10 %, done) that read well in a file.
/// </summary>
public sealed class ConsoleProgress : IProgress<DownloadProgress>
{
    private const int BarWidth = 30;
    private readonly TextWriter writer;
    private readonly bool interactive;
    private readonly Lock gate = new();
    private string? currentFile;
    private int lastStep;

    /// <summary>Writes to standard error; draws bars when it is a terminal and the <c>CI</c> variable is unset.</summary>
    public ConsoleProgress()
        : this(Console.Error, !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null)
    {
    }

    /// <summary>Writes to <paramref name="writer"/>; <paramref name="interactive"/> selects the redrawn bar over plain lines.</summary>
    public ConsoleProgress(TextWriter writer, bool interactive)
    {
        this.writer = writer;
        this.interactive = interactive;
    }

    /// <inheritdoc />
    public void Report(DownloadProgress value)
    {
        lock (gate)
        {
            var file = $"{value.RepoId}/{value.FileName}";
            var isNew = file != currentFile;
            if (isNew) (currentFile, lastStep) = (file, -1);
            if (interactive) DrawBar(file, value, isNew);
            else WriteLines(file, value, isNew);
            if (value.IsComplete) currentFile = null;
            writer.Flush();
        }
    }

    private void DrawBar(string file, DownloadProgress value, bool isNew)
    {
        var percent = (int)(value.Fraction * 100);
        if (!isNew && percent == lastStep && !value.IsComplete) return;
        lastStep = percent;
        var filled = (int)(value.Fraction * BarWidth);
        writer.Write($"\r{file} [{new string('#', filled)}{new string('.', BarWidth - filled)}] {percent,3}% {MiB(value.BytesDone)}/{MiB(value.TotalBytes)} MiB");
        if (value.IsComplete) writer.WriteLine();
    }

    private void WriteLines(string file, DownloadProgress value, bool isNew)
    {
        if (isNew)
            writer.WriteLine($"downloading {file} ({MiB(value.TotalBytes)} MiB)" +
                (value.BytesDone > 0 && !value.IsComplete ? $", resuming at {MiB(value.BytesDone)} MiB" : ""));
        var step = (int)(value.Fraction * 10);
        if (value.IsComplete) writer.WriteLine($"downloaded {file}");
        else if (!isNew && step > lastStep) writer.WriteLine($"  {file}: {step * 10}%");
        lastStep = step;
    }

    private static string MiB(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);
}
