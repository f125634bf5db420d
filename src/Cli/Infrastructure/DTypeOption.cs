using System.CommandLine;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// <c>--dtype auto|fp32|fp16|bf16</c>, default auto (<see cref="ComputePrecision.Auto"/>): the fastest precision the
/// device computes natively. What auto chose is announced once on stderr (<see cref="Announce"/>), so a run's
/// precision is never a surprise.
/// </summary>
internal static class DTypeOption
{
    public const string Auto = "auto";

    public static Option<string> Create() => new("--dtype")
    {
        Description = "Compute dtype: auto (bf16 on a CPU with native BF16 and on CUDA from compute capability 8, fp16 on older CUDA, " +
            "else fp32), fp32 (exact parity with the reference), fp16 or bf16.",
        DefaultValueFactory = _ => Auto,
    };

    /// <summary>The precision <paramref name="value"/> asks for on <paramref name="device"/>; its reason starts with "auto: " for auto.</summary>
    public static ComputePrecision Resolve(string value, Device device)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v != Auto) return new ComputePrecision(Parse(v), $"--dtype {v}");
        var auto = ComputePrecision.Auto(device);
        return auto with { Reason = $"{Auto}: {auto.Reason}" };
    }

    /// <summary>
    /// Prints auto's choice on stderr, e.g. "dtype: fp32 (auto: this CPU has no native BF16)"; an explicit --dtype is
    /// not echoed. Commands call it once the model is loaded, so that option and file errors stay one line.
    /// </summary>
    public static void Announce(ComputePrecision precision)
    {
        if (precision.Reason.StartsWith(Auto + ":", StringComparison.Ordinal))
            Console.Error.WriteLine($"dtype: {Name(precision.DType)} ({precision.Reason})");
    }

    /// <summary>The short name outputs record: fp32, fp16 or bf16.</summary>
    public static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.Float16 => "fp16",
        ScalarType.BFloat16 => "bf16",
        _ => dtype.ToString(),
    };

    private static ScalarType Parse(string value) => value switch
    {
        "fp32" or "float32" => ScalarType.Float32,
        "fp16" or "float16" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ArgumentException($"--dtype: unknown dtype '{value}' (auto, fp32, fp16, bf16)"),
    };
}
