using System.Text.Json;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;
using Xunit.Abstractions;

namespace AnomalyClip.Tests.Cli;

/// <summary>
/// The <c>test</c> table on real images (the bundled samples, the demo's k = 4 and seed) with the offline ResNet-18
/// backbone at <c>--dtype fp32</c> and <c>--dtype bf16</c>: every metric of every class and of the mean moves by less
/// than half a point.
/// </summary>
public class TestTablePrecisionTests(ITestOutputHelper output)
{
    private const double MaxChangePoints = 0.5;
    private static readonly string[] Metrics = ["auroc_px", "f1_px", "ap_px", "aupro", "auroc_sp", "f1_sp", "ap_sp", "aupro_std"];

    [Fact]
    public void Bf16ChangesNoFigureOfTheTableByHalfAPoint()
    {
        var fp32 = Run("fp32");
        var bf16 = Run("bf16");
        Assert.Equal(fp32.Keys.Order(), bf16.Keys.Order());
        var changes = fp32.Keys.Select(k => (Figure: k, Points: Math.Abs(bf16[k] - fp32[k]) * 100)).OrderByDescending(c => c.Points).ToList();
        foreach (var (figure, points) in changes.Take(5)) output.WriteLine($"{figure}: {points:F2} points");
        Assert.All(changes, c => Assert.True(c.Points < MaxChangePoints, $"{c.Figure} moved {c.Points:F2} points between fp32 and bf16"));
    }

    // Every figure of results.json, keyed "class/metric" (the mean as "mean/metric").
    private static Dictionary<string, double> Run(string dtype)
    {
        var dir = Directory.CreateTempSubdirectory($"table-{dtype}-").FullName;
        var (code, _, stderr) = InProcessCli.Run("test", "--backbone", "resnet18", "--dataset", "mvtec", "--data-path", Golden.Samples, "--discover-classes",
            "--k", "4", "--seed", "42", "--dtype", dtype, "--out", dir);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var figures = new Dictionary<string, double>();
        foreach (var c in json.RootElement.GetProperty("classes").EnumerateArray())
            foreach (var m in Metrics) figures[$"{c.GetProperty("class").GetString()}/{m}"] = c.GetProperty(m).GetDouble();
        foreach (var m in Metrics) figures[$"mean/{m}"] = json.RootElement.GetProperty("mean").GetProperty(m).GetDouble();
        Assert.Equal(dtype, json.RootElement.GetProperty("settings").GetProperty("dtype").GetString());
        Directory.Delete(dir, recursive: true);
        return figures;
    }
}
