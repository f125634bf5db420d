using System.Text.Json;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;

namespace AnomalyClip.Tests.Cli;

/// <summary>The commands with <c>--backbone resnet18</c> (no model, adapter or tokenizer) and <c>demo</c>.</summary>
public class ResNet18CommandTests
{
    private static string Sample(params string[] parts) => Path.Combine([Golden.Samples, .. parts]);

    private static string Out() => Directory.CreateTempSubdirectory("resnet18-cli-").FullName;

    [Fact]
    public void PredictAndTestPickTheSameReferencesAndWriteResults()
    {
        var dir = Out();
        var (code, _, stderr) = InProcessCli.Run("predict", Sample("paper_bdp01", "test"), "--backbone", "resnet18", "--class-name", "paper_bdp01",
            "--reference", Sample("paper_bdp01", "train", "good"), "--k", "3", "--seed", "5", "--out", dir, "--pixel-threshold", "3");
        Assert.True(code == 0, stderr);
        var rows = File.ReadAllLines(Path.Combine(dir, "results.csv"));
        Assert.Equal("file,class,score,text_probability,map_max", rows[0]);
        Assert.Equal(18, rows.Length - 1);
        Assert.All(rows.Skip(1), r => Assert.Equal("", r.Split(',')[3])); // no text tower
        Assert.Equal(18, Directory.GetFiles(Path.Combine(dir, "overlays")).Length);
        Assert.Equal(18, Directory.GetFiles(Path.Combine(dir, "masks")).Length);
        var chosen = File.ReadAllLines(Path.Combine(dir, "k_shot.txt"));
        Assert.Equal(ReferenceSampling.Choose(Directory.GetFiles(Sample("paper_bdp01", "train", "good")), 3, 5), chosen);

        // test on the dataset with the same k and seed draws the same three images from the train split.
        var testDir = Out();
        (code, _, stderr) = InProcessCli.Run("test", "--backbone", "resnet18", "--dataset", "mvtec", "--data-path", Golden.Samples, "--class-name", "paper_bdp01",
            "--k", "3", "--seed", "5", "--out", testDir);
        Assert.True(code == 0, stderr);
        Assert.Equal(chosen.Select(Path.GetFullPath), File.ReadAllLines(Path.Combine(testDir, "k_shot.txt")).Select(r => Path.GetFullPath(Path.Combine(Golden.Samples, r))));
        foreach (var f in new[] { "results.md", "results.csv", "results.json", "log.txt", "report.html" }) Assert.True(File.Exists(Path.Combine(testDir, f)), f);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(testDir, "results.json")));
        Assert.Equal("few-shot", json.RootElement.GetProperty("settings").GetProperty("mode").GetString());
        Assert.Equal("resnet18-imagenet", json.RootElement.GetProperty("settings").GetProperty("backbone").GetString());
        Assert.True(json.RootElement.GetProperty("mean").GetProperty("auroc_sp").GetDouble() > 0.8);
    }

    [Fact]
    public void CalibrateFromNormalsLeavesTheReferencesOut()
    {
        var outFile = Path.Combine(Out(), "thresholds.json");
        var (code, _, stderr) = InProcessCli.Run("calibrate", "--backbone", "resnet18", "--normals", Sample("hazelnut_toy", "train", "good"),
            "--reference", Sample("hazelnut_toy", "train", "good"), "--k", "4", "--class-name", "hazelnut_toy", "--out", outFile);
        Assert.True(code == 0, stderr);
        var t = DetectorThresholds.Load(outFile);
        Assert.Equal(("6", "4", "resnet18-imagenet", "few-shot"), (t.Details["images"], t.Details["excluded_references"], t.Details["backbone"], t.Details["mode"]));
        Assert.InRange(t.Image!.Value, 0, 1);
        Assert.True(t.Pixel > 0);
    }

    [Theory]
    [InlineData("k above the references", "has only 10 image(s)", "--reference", "REFS", "--k", "50")]
    [InlineData("zero-shot", "few-shot only", "--backbone", "resnet18")]
    [InlineData("an adapter", "--adapter applies to --backbone clip", "--reference", "REFS", "--adapter", "x.pth")]
    [InlineData("a coreset of nothing", "--coreset must be above 0 and at most 1, got 0", "--reference", "REFS", "--coreset", "0")]
    [InlineData("an unknown augmentation", "unknown augmentation 'spin'", "--reference", "REFS", "--augment", "spin")]
    [InlineData("a tiny input", "--image-size must be at least 32 and at most 4096, got 8", "--reference", "REFS", "--image-size", "8")]
    public void BadOptionsExitWithTwoAndSayWhy(string what, string message, params string[] args)
    {
        var dir = Out();
        var resolved = args.Select(a => a == "REFS" ? Sample("paper_bdp01", "train", "good") : a).ToArray();
        var backbone = resolved.Contains("--backbone") ? Array.Empty<string>() : ["--backbone", "resnet18"];
        var (code, _, stderr) = InProcessCli.Run(["predict", Sample("paper_bdp01", "test", "good"), .. backbone, .. resolved, "--out", dir]);
        Assert.True(code == 2, $"{what}: exit {code}, {stderr}");
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(Path.Combine(dir, "results.csv")), what);
    }

    [Fact]
    public void BenchPredictReportsFewShotTimeAndMemory()
    {
        var (code, stdout, stderr) = InProcessCli.Run("bench", "predict", "--backbone", "resnet18", "--k", "2", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.GetProperty("few_shot_ms").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("zero_shot_ms").ValueKind);
        Assert.True(json.RootElement.GetProperty("peak_memory_mib").GetDouble() > 0);
        Assert.Equal(224, json.RootElement.GetProperty("image_size").GetInt32());
    }

    [Fact]
    public void DemoRunsOnTheBundledSamples()
    {
        var dir = Out();
        var (code, stdout, stderr) = InProcessCli.Run("demo", "--out", dir);
        Assert.True(code == 0, stderr);
        Assert.Contains("| hazelnut_toy", stdout);
        Assert.Contains("| paper_bdp01", stdout);
        foreach (var f in new[] { "results.md", "results.json", "report.html", "k_shot.txt" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Equal(36, Directory.EnumerateFiles(Path.Combine(dir, "imgs"), "*.png", SearchOption.AllDirectories).Count());
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.Contains("hazelnut_toy", html);
        Assert.DoesNotContain("src=\"imgs/", html); // self-contained: pictures are embedded
    }
}
