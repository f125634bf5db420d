using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;

namespace AnomalyClip.Tests.Reliability;

/// <summary>
/// How a predict run over several inputs ends: skipped inputs exit 3 and are listed, <c>--strict</c> stops at the
/// first one and leaves nothing, a run with nothing readable is bad input, and a rerun into a folder replaces the
/// earlier run's outputs instead of mixing with them.
/// </summary>
public class RunOutcomeTests
{
    private static readonly byte[] Truncated = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

    private static string Image(int i) => Golden.PathOf("dataset_test", "bottle", "test", i < 2 ? "good" : "defect", $"{i % 2:000}.png");

    /// <summary>A folder of <paramref name="good"/> readable images a.png, b.png … followed (in sorted order) by <paramref name="broken"/> truncated ones.</summary>
    private static string Inputs(int good, int broken)
    {
        var dir = Directory.CreateTempSubdirectory("outcome-in-").FullName;
        for (int i = 0; i < good; i++) File.Copy(Image(i), Path.Combine(dir, $"{(char)('a' + i)}.png"));
        for (int i = 0; i < broken; i++) File.WriteAllBytes(Path.Combine(dir, $"z-broken-{i}.png"), Truncated);
        return dir;
    }

    private static string Out() => Path.Combine(Directory.CreateTempSubdirectory("outcome-out-").FullName, "out");

    private static (int Code, string[] Errors, string Stderr) Predict(params string[] args)
    {
        var (code, _, stderr) = InProcessCli.Run(["predict", .. args, .. TinyAprilGan.CliArgs, "--batch-size", "1"]);
        Assert.DoesNotContain("   at ", stderr);
        return (code, stderr.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray(), stderr);
    }

    private static string[] FilesUnder(string dir) =>
        Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal).ToArray() : [];

    [Fact]
    public void SkippedInputsExitThreeWithAWarningAndAreListed()
    {
        var (input, outDir) = (Inputs(good: 2, broken: 1), Out());
        var (code, errors, stderr) = Predict(input, "--out", outDir);
        Assert.True(code == CliErrors.Skipped, stderr);
        Assert.Empty(errors);
        Assert.Contains("warning: 1 input(s) skipped", stderr);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(outDir, "results.csv")).Length - 1);
        Assert.StartsWith(Path.Combine(input, "z-broken-0.png") + "\t", File.ReadAllText(Path.Combine(outDir, "skipped.txt")));
    }

    [Fact]
    public void StrictStopsAtTheFirstUnreadableInputAndRemovesWhatItWrote()
    {
        // Batch size 1: the readable images' overlays and masks are written before the broken file is met.
        var (input, outDir) = (Inputs(good: 2, broken: 1), Out());
        var (code, errors, stderr) = Predict(input, "--strict", "--pixel-threshold", "2.3", "--out", outDir);
        Assert.True(code == CliErrors.BadInput, stderr);
        Assert.Contains("z-broken-0.png", Assert.Single(errors));
        Assert.Empty(FilesUnder(outDir));
    }

    [Fact]
    public void NothingReadableIsBadInputAndWritesNothing()
    {
        var (input, outDir) = (Inputs(good: 0, broken: 2), Out());
        var (code, errors, stderr) = Predict(input, "--out", outDir);
        Assert.True(code == CliErrors.BadInput, stderr);
        Assert.Contains("none of the 2 input(s) could be read", Assert.Single(errors));
        Assert.Empty(FilesUnder(outDir));
    }

    [Fact]
    public void ARerunReplacesTheEarlierRunsOutputsAndKeepsOtherFiles()
    {
        var outDir = Out();
        Assert.Equal(CliErrors.Skipped, Predict(Inputs(good: 3, broken: 1), "--pixel-threshold", "2.3", "--save-maps", "--out", outDir).Code);
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "the user's own file");
        Assert.Contains(Path.Combine("masks", "c.png"), FilesUnder(outDir));

        var (code, _, stderr) = Predict(Inputs(good: 1, broken: 0), "--out", outDir);
        Assert.True(code == CliErrors.Success, stderr);
        Assert.Equal(["notes.txt", Path.Combine("overlays", "a.png"), "results.csv"], FilesUnder(outDir));
    }

    [Fact]
    public void WithoutAClassNameTheClassColumnIsObject()
    {
        var outDir = Out();
        Assert.Equal(CliErrors.Success, Predict(Image(0), "--no-overlays", "--out", outDir).Code);
        Assert.Equal("object", File.ReadAllLines(Path.Combine(outDir, "results.csv"))[1].Split(',')[1]);
    }
}
