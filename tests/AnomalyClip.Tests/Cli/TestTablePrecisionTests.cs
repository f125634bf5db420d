using System.Text.Json;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;

namespace AnomalyClip.Tests.Cli;

/// <summary>
/// The <c>test</c> table on real images (the bundled samples, the demo's k = 4 and seed) with the offline ResNet-18:
/// <c>--dtype auto</c>, the default, keeps it at fp32 on every CPU, so its table is exactly the fp32 one. (bf16, on
/// request, moved single figures by up to 2.8 points on real-ad; see the README's "Performance".)
/// </summary>
public class TestTablePrecisionTests
{
    [Fact]
    public void AutoGivesTheResNet18sFp32TableAndSaysWhy()
    {
        var (auto, autoSettings) = Run();
        var (fp32, _) = Run("--dtype", "fp32");
        Assert.Equal("fp32", autoSettings.GetProperty("dtype").GetString());
        Assert.StartsWith("auto: the ResNet-18 keeps fp32", autoSettings.GetProperty("dtype_choice").GetString());
        Assert.Equal(fp32, auto);
    }

    // results.json's figures (classes and mean) as text, and its settings.
    private static (string Figures, JsonElement Settings) Run(params string[] dtype)
    {
        var dir = Directory.CreateTempSubdirectory("table-").FullName;
        var (code, _, stderr) = InProcessCli.Run(["test", "--backbone", "resnet18", "--dataset", "mvtec", "--data-path", Golden.Samples, "--discover-classes",
            "--k", "4", "--seed", "42", .. dtype, "--out", dir]);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var figures = json.RootElement.GetProperty("classes").GetRawText() + json.RootElement.GetProperty("mean").GetRawText();
        var settings = json.RootElement.GetProperty("settings").Clone();
        Directory.Delete(dir, recursive: true);
        return (figures, settings);
    }
}
