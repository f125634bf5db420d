namespace AnomalyClip.Clip.IO;

/// <summary>
/// Writes a file so that readers never see it half-written: the content goes to a temporary file in the same folder,
/// which is flushed and renamed over the target only when complete. On failure the target is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = TempName(dir, "tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    // Not derived from the target's name, so a long name cannot push the temporary one past the 255-byte limit; the
    // process id lets a later run tell a dead run's leftovers from a live one's.
    internal static string TempName(string dir, string extension) =>
        Path.Combine(dir, $"{TempPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}.{extension}");

    private const string TempPrefix = ".anomalyclip-";

    /// <summary>
    /// Deletes the temporary files that runs of this tool which no longer exist left in <paramref name="folder"/> and
    /// its subfolders (a killed run); returns how many. Files of live processes and every other file are left alone.
    /// </summary>
    public static int RemoveStale(string folder)
    {
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder, TempPrefix + "*", SearchOption.AllDirectories))
        {
            var parts = Path.GetFileName(file)[TempPrefix.Length..].Split('-', '.');
            if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || parts[1].Length != 32 || Alive(pid)) continue;
            try
            {
                File.Delete(file);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next run.
            }
        }
        return removed;
    }

    private static bool Alive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/>, atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true); w.Write(text); });
}
