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
        var named = ComputePrecision.Named(v, device) ?? throw new ArgumentException($"--dtype: unknown dtype '{v}' (auto, fp32, fp16, bf16)");
        return Chosen(v, named);
    }

    /// <summary>
    /// The dtype to hand a factory that has its own default (the ResNet-18's fp32): null for <c>auto</c>, else what
    /// <paramref name="value"/> names.
    /// </summary>
    public static ScalarType? Explicit(string value, Device device) => ComputePrecision.IsAuto(value) ? null : Resolve(value, device).DType;

    /// <summary>
    /// <paramref name="built"/> (what a model built for <paramref name="value"/> runs at) with the reason worded for
    /// the command line: "auto: " and the model's reason for auto, "--dtype V" otherwise.
    /// </summary>
    public static ComputePrecision Chosen(string value, ComputePrecision built) =>
        built with { Reason = ComputePrecision.IsAuto(value) ? $"{Auto}: {built.Reason}" : $"--dtype {value.Trim().ToLowerInvariant()}" };

    /// <summary>
    /// Prints auto's choice on stderr, e.g. "dtype: fp32 (auto: this CPU has no native BF16)"; an explicit --dtype is
    /// not echoed. Commands call it once the model is loaded, so that option and file errors stay one line.
    /// </summary>
    public static void Announce(ComputePrecision precision)
    {
        if (precision.Reason.StartsWith(Auto + ":", StringComparison.Ordinal))
            Console.Error.WriteLine($"dtype: {ComputePrecision.ShortName(precision.DType)} ({precision.Reason})");
    }
}
