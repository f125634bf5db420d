using System.CommandLine;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// <c>--dtype auto|fp32|fp16|bf16</c>, default auto. A command hands the model factory <see cref="Explicit"/> (null
/// for auto, so the factory applies its own default: <see cref="ComputePrecision.Auto"/> for CLIP, fp32 for the
/// ResNet-18) and then <see cref="Report"/>s what the model was built at: auto's choice is announced once on stderr,
/// so a run's precision is never a surprise.
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

    /// <summary>The dtype to hand a model factory: null for <c>auto</c> (the factory's default), else what <paramref name="value"/> names.</summary>
    /// <exception cref="ArgumentException">An unknown dtype name.</exception>
    public static ScalarType? Explicit(string value, Device device)
    {
        if (ComputePrecision.IsAuto(value)) return null;
        var v = value.Trim().ToLowerInvariant();
        return (ComputePrecision.Named(v, device) ?? throw new ArgumentException($"--dtype: unknown dtype '{v}' (auto, fp32, fp16, bf16)")).DType;
    }

    /// <summary>
    /// <paramref name="built"/> (what a model built for <paramref name="value"/> runs at) with the reason worded for
    /// the command line: "auto: " and the model's reason for auto, "--dtype V" otherwise.
    /// </summary>
    public static ComputePrecision Chosen(string value, ComputePrecision built) =>
        built with { Reason = ComputePrecision.IsAuto(value) ? $"{Auto}: {built.Reason}" : $"--dtype {value.Trim().ToLowerInvariant()}" };

    /// <summary>
    /// <see cref="Chosen"/>, and for auto printed on stderr, e.g. "dtype: fp32 (auto: this CPU has no native BF16)"; an
    /// explicit --dtype is not echoed. Commands call it once the model is loaded, so that option and file errors stay one line.
    /// </summary>
    public static ComputePrecision Report(string value, ComputePrecision built)
    {
        var chosen = Chosen(value, built);
        if (ComputePrecision.IsAuto(value)) Console.Error.WriteLine($"dtype: {ComputePrecision.ShortName(chosen.DType)} ({chosen.Reason})");
        return chosen;
    }
}
