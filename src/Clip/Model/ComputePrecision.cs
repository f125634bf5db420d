using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// A compute dtype for <see cref="ClipLoadOptions.DType"/> and why it was chosen. <see cref="Auto"/> picks the fastest
/// precision the hardware computes natively: reduced precision only where it is actually faster, fp32 otherwise. It is
/// the default (<see cref="ClipLoadOptions.Default"/>); ask for Float32 to reproduce the reference exactly.
/// </summary>
/// <param name="DType">Float32, Float16 or BFloat16.</param>
/// <param name="Reason">One human-readable phrase saying why, e.g. "this CPU has no native BF16".</param>
public sealed record ComputePrecision(ScalarType DType, string Reason)
{
    // CUDA compute capability from which bf16 runs on tensor cores (Ampere, 8.0).
    private const int CudaBf16MajorCapability = 8;

    /// <summary>
    /// The precision for <paramref name="device"/>: on the CPU bf16 when it has native BF16 instructions
    /// (<see cref="CpuInfo.Current"/>) else fp32; on CUDA bf16 from compute capability 8 else fp16 (also when the
    /// capability cannot be read: every CUDA GPU computes fp16); fp32 on any other device.
    /// </summary>
    public static ComputePrecision Auto(Device device) => device.type switch
    {
        DeviceType.CPU => ForCpu(CpuInfo.Current),
        DeviceType.CUDA => ForCuda(CudaCapability.Query(Math.Max(0, (int)device.index))),
        _ => new(ScalarType.Float32, $"no reduced precision is chosen automatically on {device.type} devices"),
    };

    /// <summary>
    /// The precision a dtype name asks for on <paramref name="device"/> (case-insensitive): <c>auto</c> (<see cref="Auto"/>),
    /// <c>fp32</c>/<c>float32</c>, <c>fp16</c>/<c>float16</c>, <c>bf16</c>/<c>bfloat16</c>; null for any other name.
    /// </summary>
    public static ComputePrecision? Named(string name, Device device)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsAuto(name)) return Auto(device);
        var v = name.Trim().ToLowerInvariant();
        return v switch
        {
            "fp32" or "float32" => new(ScalarType.Float32, $"dtype {v}"),
            "fp16" or "float16" => new(ScalarType.Float16, $"dtype {v}"),
            "bf16" or "bfloat16" => new(ScalarType.BFloat16, $"dtype {v}"),
            _ => null,
        };
    }

    /// <summary>Whether a dtype name is <c>auto</c> (case-insensitive, surrounding blanks ignored).</summary>
    public static bool IsAuto(string name) => name.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>A dtype asked for by the caller.</summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not Float32, Float16 or BFloat16.</exception>
    public static ComputePrecision Requested(ScalarType dtype) => dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16
        ? new(dtype, $"dtype {ShortName(dtype)} asked for")
        : throw new ArgumentException($"compute dtype {dtype} is not one of Float32, Float16, BFloat16", nameof(dtype));

    /// <summary>The short name outputs record for <paramref name="dtype"/>: fp32, fp16 or bf16.</summary>
    public static string ShortName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.Float16 => "fp16",
        ScalarType.BFloat16 => "bf16",
        _ => dtype.ToString(),
    };

    /// <summary>What <see cref="Auto"/> picks on a CPU described by <paramref name="cpu"/>.</summary>
    public static ComputePrecision ForCpu(CpuInfo cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return cpu.HasNativeBf16
            ? new(ScalarType.BFloat16, $"this CPU has native BF16 ({string.Join(", ", cpu.NativeBf16Flags)})")
            : new(ScalarType.Float32, "this CPU has no native BF16");
    }

    /// <summary>What <see cref="Auto"/> picks on a CUDA device of compute capability <paramref name="capability"/> (null: unknown).</summary>
    public static ComputePrecision ForCuda((int Major, int Minor)? capability) => capability switch
    {
        null => new(ScalarType.Float16, "CUDA compute capability unknown: fp16, which every CUDA GPU computes"),
        var (major, minor) when major >= CudaBf16MajorCapability => new(ScalarType.BFloat16, $"CUDA compute capability {major}.{minor} has BF16"),
        var (major, minor) => new(ScalarType.Float16, $"CUDA compute capability {major}.{minor} has no BF16"),
    };
}
