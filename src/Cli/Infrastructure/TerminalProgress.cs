namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Progress of long work on standard error: a bar redrawn in place on a terminal; plain lines (at most one per 10%
/// or per 10 seconds) when output is redirected or the <c>CI</c> variable is set, so logs stay readable.
/// </summary>
internal sealed class TerminalProgress
{
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private readonly string _label;
    private int _lastDecile = -1;
    private DateTime _lastLine = DateTime.MinValue;
    private int _lastWidth;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public TerminalProgress(string label)
        : this(label, Console.Error, !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null)
    {
    }

    public TerminalProgress(string label, TextWriter writer, bool interactive)
    {
        _label = label;
        _out = writer;
        _interactive = interactive;
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> units with a status text.</summary>
    public void Report(long done, long total, string status)
    {
        double fraction = total > 0 ? Math.Clamp((double)done / total, 0, 1) : 0;
        if (_interactive)
        {
            const int width = 30;
            int filled = (int)(fraction * width);
            var line = $"\r{_label} [{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,5:F1}% {done}/{total} {Rate(done, total)} {status}";
            _out.Write(line.PadRight(_lastWidth));
            _lastWidth = line.Length;
            if (done >= total) _out.WriteLine();
            return;
        }
        int decile = (int)(fraction * 10);
        var now = DateTime.UtcNow;
        if (decile != _lastDecile || done >= total || now - _lastLine > TimeSpan.FromSeconds(10))
        {
            _out.WriteLine($"{_label}: {done}/{total} ({fraction * 100:F0}%) {Rate(done, total)} {status}");
            _lastDecile = decile;
            _lastLine = now;
        }
    }

    // Units per second since the bar started, and the time left at that rate.
    private string Rate(long done, long total)
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        if (done <= 0 || seconds <= 0) return "";
        double rate = done / seconds;
        var left = TimeSpan.FromSeconds(Math.Max(0, total - done) / rate);
        return System.FormattableString.Invariant($"{rate:F2}/s ETA {(int)left.TotalHours:00}:{left.Minutes:00}:{left.Seconds:00}");
    }
}
