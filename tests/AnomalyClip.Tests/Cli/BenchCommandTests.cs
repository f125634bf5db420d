using System.Text.Json;
using AnomalyClip.Clip.Model;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary>
/// <c>bench encoder</c> and <c>bench predict</c> record the precision (auto by default, and why) and the CPU they ran
/// on: whether it has native BF16 decides whether bf16 figures are fast or slow. Tests never assert on times.
/// </summary>
public class BenchCommandTests
{
    private static (string Name, string Reason) AutoOnCpu()
    {
        var auto = ComputePrecision.Auto(CPU);
        return (auto.DType == ScalarType.BFloat16 ? "bf16" : "fp32", "auto: " + auto.Reason);
    }

    private static void AssertCpu(JsonElement json)
    {
        Assert.Equal(CpuInfo.Current.Model, json.GetProperty("cpu_model").GetString());
        Assert.Equal(CpuInfo.Current.HasNativeBf16, json.GetProperty("cpu_native_bf16").GetBoolean());
    }

    [Fact]
    public void EncoderDefaultsToAutoAndRecordsItsChoiceAndTheCpu()
    {
        var (code, stdout, stderr) = InProcessCli.Run("bench", "encoder", "--model-dir", Golden.TinyA, "--image-size", "32", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        var (name, reason) = AutoOnCpu();
        Assert.Contains($"dtype: {name} ({reason})", stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(name, json.RootElement.GetProperty("dtype").GetString());
        Assert.Equal(reason, json.RootElement.GetProperty("dtype_choice").GetString());
        AssertCpu(json.RootElement);
    }

    [Fact]
    public void EncoderTextNamesTheCpuAndWhetherItHasNativeBf16()
    {
        var (code, stdout, stderr) = InProcessCli.Run("bench", "encoder", "--model-dir", Golden.TinyA, "--image-size", "32", "--iterations", "1", "--dtype", "bf16");
        Assert.True(code == 0, stderr);
        Assert.Contains("bf16 (--dtype bf16)", stdout);
        Assert.Contains($"CPU {CpuInfo.Current.Model}, {(CpuInfo.Current.HasNativeBf16 ? "native BF16" : "no native BF16")}", stdout);
    }

    [Fact]
    public void PredictTakesABatchAndRecordsDtypeAndCpu()
    {
        var (code, stdout, stderr) = InProcessCli.Run("bench", "predict", "--random-weights", "--arch", "ViT-B-32", "--image-size", "64", "--k", "1",
            "--iterations", "1", "--batch", "2", "--dtype", "fp32", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(2, json.RootElement.GetProperty("batch").GetInt32());
        Assert.Equal("fp32", json.RootElement.GetProperty("dtype").GetString());
        Assert.Equal("--dtype fp32", json.RootElement.GetProperty("dtype_choice").GetString());
        Assert.True(json.RootElement.GetProperty("zero_shot_ms").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("few_shot_ms").GetDouble() > 0);
        // ViT-B-32 at 64 px has 2×2 patches of width 768; k = 1 puts those 4 rows in each of the 4 bank layers, and the
        // exact search is a 4×768 by 768×4 GEMM per layer on top of the encoder.
        double zeroShot = json.RootElement.GetProperty("zero_shot_gflop").GetDouble(), fewShot = json.RootElement.GetProperty("few_shot_gflop").GetDouble();
        Assert.True(zeroShot > 0);
        Assert.Equal(4 * 2.0 * 4 * 4 * 768 / 1e9, fewShot - zeroShot, 12);
        Assert.True(json.RootElement.GetProperty("zero_shot_gflop_per_second").GetDouble() > 0);
        AssertCpu(json.RootElement);
    }

    [Fact]
    public void PredictWithResNet18KeepsFp32UnderAutoAndTakesTheDtypeAskedFor()
    {
        var (code, stdout, stderr) = InProcessCli.Run("bench", "predict", "--backbone", "resnet18", "--k", "1", "--iterations", "1", "--json");
        Assert.True(code == 0, stderr);
        using (var json = JsonDocument.Parse(stdout))
        {
            Assert.Equal("fp32", json.RootElement.GetProperty("dtype").GetString());
            Assert.StartsWith("auto: the ResNet-18 keeps fp32", json.RootElement.GetProperty("dtype_choice").GetString());
            AssertCpu(json.RootElement);
        }

        (code, stdout, stderr) = InProcessCli.Run("bench", "predict", "--backbone", "resnet18", "--k", "1", "--iterations", "1", "--dtype", "bf16", "--json");
        Assert.True(code == 0, stderr);
        using var bf16 = JsonDocument.Parse(stdout);
        Assert.Equal("bf16", bf16.RootElement.GetProperty("dtype").GetString());
        Assert.True(bf16.RootElement.GetProperty("few_shot_ms").GetDouble() > 0);
    }
}
