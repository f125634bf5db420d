using AnomalyClip.Clip.IO;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Output locations checked before any work: a folder option must not name a file, a file option must not name a
/// folder, and the place must be writable; a killed earlier run's temporary files there are removed.
/// </summary>
internal static class OutputPaths
{
    /// <summary>The folder <paramref name="path"/> of <paramref name="option"/>, created if missing.</summary>
    /// <exception cref="ArgumentException">It is a file, cannot be created, or is not writable.</exception>
    public static string Folder(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (System.IO.File.Exists(full)) throw new ArgumentException($"{option} {path}: is a file, expected a folder");
        Create(option, path, full);
        int stale = AtomicFile.RemoveStale(full);
        if (stale > 0) Console.Error.WriteLine($"removed {stale} temporary file(s) an interrupted run left in {path}");
        return full;
    }

    /// <summary>The file <paramref name="path"/> of <paramref name="option"/>; its folder is created if missing.</summary>
    /// <exception cref="ArgumentException">It is a folder, or its folder cannot be created or written.</exception>
    public static string File(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new ArgumentException($"{option} {path}: is a folder, expected a file name");
        if (Path.GetFileName(full).Length > 255) throw new ArgumentException($"{option} {path}: the file name is longer than 255 characters");
        var dir = Path.GetDirectoryName(full)!;
        if (System.IO.File.Exists(dir)) throw new ArgumentException($"{option} {path}: {dir} is a file, not a folder");
        Create(option, path, dir);
        AtomicFile.RemoveStale(dir);
        return full;
    }

    private static void Create(string option, string given, string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            // A probe file: permissions, read-only mounts and full disks show up now, not after the work is done.
            var probe = Path.Combine(dir, $".anomalyclip-probe-{Guid.NewGuid():N}");
            System.IO.File.WriteAllBytes(probe, []);
            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} {given}: cannot write there ({e.Message})");
        }
    }
}
