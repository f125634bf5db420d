using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AnomalyClip.Tests.Support;

/// <summary>
/// Gives the test run its own temporary folder and removes it when the run ends, so the many folders the tests
/// create (and those of the CLI processes they start, which inherit TMPDIR) leave nothing behind. A folder left by a
/// run that was killed is removed by the next run.
/// </summary>
internal static class TempRoot
{
    private const string Prefix = "anomalyclip-tests-";

    [ModuleInitializer]
    internal static void Use()
    {
        var system = Path.GetTempPath();
        foreach (var stale in Directory.EnumerateDirectories(system, Prefix + "*"))
            if (int.TryParse(Path.GetFileName(stale)[Prefix.Length..].Split('-')[0], out int pid) && !Alive(pid)) TryDelete(stale);
        var root = Path.Combine(system, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        Environment.SetEnvironmentVariable("TMPDIR", root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(root);
    }

    // The test host is stopped soon after the run, before a large tree could be deleted here: hand the deletion to a
    // detached process that outlives it (the next run's stale check is the fallback).
    private static void Remove(string dir)
    {
        try
        {
            var psi = OperatingSystem.IsWindows()
                ? new ProcessStartInfo("cmd.exe", $"/c rmdir /s /q \"{dir}\"")
                : new ProcessStartInfo("rm", ["-rf", dir]);
            psi.UseShellExecute = false;
            psi.CreateNoWindow = true;
            using var p = Process.Start(psi);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            TryDelete(dir);
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still in use (a dying child process); the next run removes it.
        }
    }
}
