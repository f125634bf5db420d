using System.Text.Json.Nodes;
using AnomalyClip.Clip.Model;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Datasets;
using AnomalyClip.Tests.Training.Evaluation;
using AnomalyClip.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip test</c> in-process on the golden dataset with tiny-a and the golden APRIL-GAN checkpoint.</summary>
public class TestCommandTests
{
    private static string[] Args(string outDir, params string[] extra) =>
    [
        "test", "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--discover-classes",
        "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"),
        "--adapter", Golden.PathOf("aprilgan_linear_layers.pth"), "--taps", "1,2,3,4", "--image-size", "48", "--activation", "gelu",
        "--dtype", "fp32", "--out", outDir, .. extra,
    ];

    /// <summary>The metrics recorded in results.json, as a suite.</summary>
    private static MetricSuite FromJson(string outDir)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, EvaluationResult.JsonFile)))!;
        static double F(JsonNode n, string name) => n[name] is null ? double.NaN : (double)n[name]!;
        return new MetricSuite(json["classes"]!.AsArray().Select(c => new ClassMetrics((string)c!["class"]!,
            F(c, "auroc_px"), F(c, "f1_px"), F(c, "ap_px"), F(c, "aupro"), F(c, "auroc_sp"), F(c, "f1_sp"), F(c, "ap_sp"), F(c, "aupro_std"))));
    }

    [Fact]
    public void ZeroShotWritesTablesThatMatchGolden()
    {
        using var dir = new TempDatasetDir();
        var (code, stdout, stderr) = InProcessCli.Run(Args(dir.Root));
        Assert.True(code == 0, stderr);

        var md = File.ReadAllText(Path.Combine(dir.Root, EvaluationResult.MarkdownFile));
        Assert.StartsWith(md, stdout);
        var suite = FromJson(dir.Root);
        GoldenEvaluation.AssertMatches("zero_shot", suite, GoldenEvaluation.FromOwnMaps);
        Assert.Equal(suite.ToCsv(), File.ReadAllText(Path.Combine(dir.Root, EvaluationResult.CsvFile)));
        var log = File.ReadAllText(Path.Combine(dir.Root, EvaluationResult.LogFile));
        Assert.Contains("mode: zero-shot", log);
        Assert.Contains("taps: 1,2,3,4", log);
        Assert.Contains("image_size: 48", log);
        Assert.Contains("model: " + Golden.TinyA, log);
        Assert.Contains("dtype: fp32", log);
        Assert.Contains("dtype_choice: --dtype fp32", log);
        Assert.DoesNotContain("(auto:", stderr); // an explicit --dtype is recorded, not announced
        Assert.Matches(@"test: 8/8 \(100%\) [0-9.]+/s ETA 00:00:00 screw 4/4", stderr);
    }

    [Fact]
    public void DefaultDtypeIsAutoAndWhatItChoseIsPrintedOnceAndRecorded()
    {
        using var dir = new TempDatasetDir();
        var args = Args(dir.Root).ToList();
        args.RemoveRange(args.IndexOf("--dtype"), 2);
        var (code, _, stderr) = InProcessCli.Run([.. args]);
        Assert.True(code == 0, stderr);

        // This machine (AVX2 only) resolves to fp32; a CPU with native BF16 to bf16. Either way the line says which and why.
        var auto = ComputePrecision.Auto(CPU);
        string name = auto.DType == ScalarType.BFloat16 ? "bf16" : "fp32";
        var line = $"dtype: {name} (auto: {auto.Reason})";
        Assert.Single(stderr.Split('\n'), l => l.TrimEnd() == line);
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Root, EvaluationResult.JsonFile)))!["settings"]!;
        Assert.Equal(name, (string?)settings["dtype"]);
        Assert.Equal("auto: " + auto.Reason, (string?)settings["dtype_choice"]);
        Assert.Contains($"dtype: {name}", File.ReadAllText(Path.Combine(dir.Root, EvaluationResult.LogFile)));
    }

    [Fact]
    public void FewShotWithReferenceFileMatchesGolden()
    {
        using var dir = new TempDatasetDir();
        var kShot = Path.Combine(dir.Root, "refs.txt");
        File.WriteAllLines(kShot, GoldenEvaluation.KShotReferences);
        var outDir = Path.Combine(dir.Root, "out");
        var (code, _, stderr) = InProcessCli.Run(Args(outDir, "--mode", "few-shot", "--k-shot-file", kShot));
        Assert.True(code == 0, stderr);
        GoldenEvaluation.AssertMatches("few_shot", FromJson(outDir), GoldenEvaluation.FromOwnMaps);
        Assert.Equal(GoldenEvaluation.KShotReferences, File.ReadAllLines(Path.Combine(outDir, FewShotReferences.FileName)));
    }

    [Fact]
    public void NativeAdapterSuppliesTapsAndSizeAndRejectsContradictions()
    {
        using var dir = new TempDatasetDir();
        var native = Path.Combine(dir.Root, "adapter.safetensors");
        TinyAprilGan.Adapter.Save(native);
        string[] common =
        [
            "test", "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--class-name", "screw",
            "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"), "--adapter", native, "--dtype", "fp32",
        ];
        var (code, _, stderr) = InProcessCli.Run([.. common, "--out", Path.Combine(dir.Root, "ok")]);
        Assert.True(code == 0, stderr);
        GoldenEvaluation.AssertMatches("zero_shot", FromJson(Path.Combine(dir.Root, "ok")), GoldenEvaluation.FromOwnMaps, ["screw"]);

        (code, _, stderr) = InProcessCli.Run([.. common, "--taps", "1,2", "--out", Path.Combine(dir.Root, "bad")]);
        Assert.Equal(2, code);
        Assert.Contains(native, stderr);
        Assert.Contains("--taps 1,2 vs 1,2,3,4", stderr);
        // The output folder is checked (created, probed for writing) before the model loads; nothing is written in it.
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Root, "bad"), "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("--mode", "half-shot", "unknown mode 'half-shot'")]
    [InlineData("--k", "3", "few-shot only")]
    [InlineData("--adapter", "/nonexistent/adapter.pth", "/nonexistent/adapter.pth")]
    [InlineData("--class-name", "cable", "cable")]
    [InlineData("--taps", "1,x", "'x' is not a 1-based block number")]
    public void BadArgumentsExitWithCode2AndSayWhy(string option, string value, string message)
    {
        using var dir = new TempDatasetDir();
        var args = Args(Path.Combine(dir.Root, "out")).ToList();
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, stderr) = InProcessCli.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
