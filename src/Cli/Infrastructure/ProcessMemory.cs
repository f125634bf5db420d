namespace AnomalyClip.Cli.Infrastructure;

/// <summary>Process memory figures for benchmark reports.</summary>
internal static class ProcessMemory
{
    /// <summary>Peak resident set size in bytes (Linux VmHWM; elsewhere the managed peak working set).</summary>
    public static long PeakResidentBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        return Environment.WorkingSet;
    }
}
