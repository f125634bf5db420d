using System.Text.RegularExpressions;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;

namespace AnomalyClip.Tests.Cli;

/// <summary>Runs commands in-process as shards and compares output folders file by file.</summary>
internal static partial class ShardRuns
{
    /// <summary>Runs the command line and asserts exit code 0; returns stdout.</summary>
    public static string Ok(params string[] args) => Exits(0, args);

    /// <summary>Runs the command line and asserts exit code <paramref name="code"/>; returns stdout.</summary>
    public static string Exits(int code, params string[] args)
    {
        var (exit, stdout, stderr) = InProcessCli.Run(args);
        Assert.True(exit == code, $"{string.Join(' ', args)}: exit {exit}, expected {code}\n{stderr}");
        return stdout;
    }

    /// <summary>Runs <paramref name="args"/> as shards 0/n … (n−1)/n into root/shard-i; returns the shard folders.</summary>
    public static string[] Shards(string[] args, int n, string root) => Enumerable.Range(0, n).Select(i =>
    {
        var dir = Path.Combine(root, $"shard-{i}");
        Ok([.. args, "--shard", $"{i}/{n}", "--out", dir]);
        return dir;
    }).ToArray();

    /// <summary>Runs <c>merge</c> on the shard folders and returns the merged folder.</summary>
    public static string Merge(IEnumerable<string> shards, string outDir, int code = 0)
    {
        Exits(code, ["merge", .. shards, "--out", outDir]);
        return outDir;
    }

    /// <summary>
    /// Both folders hold the same files with the same bytes, except <paramref name="except"/> (relative paths); the
    /// reports' generation time is masked.
    /// </summary>
    public static void SameFiles(string expected, string actual, params string[] except)
    {
        static string[] Files(string dir, string[] except) => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Where(f => !except.Contains(f)).Order(StringComparer.Ordinal).ToArray();
        var files = Files(expected, except);
        Assert.Equal(files, Files(actual, except));
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            if (f.EndsWith(".html", StringComparison.Ordinal))
                Assert.True(ReportTime().Replace(File.ReadAllText(Path.Combine(expected, f)), "") == ReportTime().Replace(File.ReadAllText(Path.Combine(actual, f)), ""), f);
            else
                Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
        }
    }

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d")]
    private static partial Regex ReportTime();
}
