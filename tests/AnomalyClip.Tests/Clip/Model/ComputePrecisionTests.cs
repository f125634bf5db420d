using AnomalyClip.Clip.Model;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Model;

/// <summary>What <c>auto</c> precision resolves to for CPU flag texts and CUDA capabilities (no GPU needed).</summary>
public class ComputePrecisionTests
{
    // Abridged /proc/cpuinfo of three x86 CPUs: AVX2 only (this development machine), AVX-512 with BF16 (Zen 4),
    // and AMX (Sapphire Rapids, which lists amx_bf16 next to avx512_bf16).
    private const string Avx2Only = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n" +
        "flags\t\t: fpu sse sse2 avx f16c fma avx2 bmi2 sha_ni vaes vpclmulqdq rdpid fsrm\n\nprocessor\t: 1\nmodel name\t: AMD EPYC\n";
    private const string Avx512Bf16 = "model name\t: AMD EPYC 9R14\nflags\t\t: fpu avx2 avx512f avx512dq avx512_bf16 avx512_vnni\n";
    private const string AmxOnly = "model name\t: Intel(R) Xeon(R) Platinum 8488C\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile amx_int8\n";

    [Fact]
    public void CpuWithoutNativeBf16ResolvesToFloat32()
    {
        var cpu = CpuInfo.Parse(Avx2Only);
        Assert.Equal("AMD EPYC", cpu.Model);
        Assert.False(cpu.HasNativeBf16);
        var choice = ComputePrecision.ForCpu(cpu);
        Assert.Equal(ScalarType.Float32, choice.DType);
        Assert.Equal("this CPU has no native BF16", choice.Reason);
    }

    [Theory]
    [InlineData(Avx512Bf16, "AMD EPYC 9R14", "avx512_bf16")]
    [InlineData(AmxOnly, "Intel(R) Xeon(R) Platinum 8488C", "amx_bf16")]
    public void CpuWithAvx512Bf16OrAmxResolvesToBFloat16(string cpuinfo, string model, string flag)
    {
        var cpu = CpuInfo.Parse(cpuinfo);
        Assert.Equal(model, cpu.Model);
        Assert.Equal([flag], cpu.NativeBf16Flags);
        var choice = ComputePrecision.ForCpu(cpu);
        Assert.Equal(ScalarType.BFloat16, choice.DType);
        Assert.Contains(flag, choice.Reason);
    }

    [Theory]
    [InlineData("flags : avx512_bf16_x avx512bf16 xamx_bf16")] // whole flags only, not substrings
    [InlineData("model name : Neoverse-V1\nFeatures : fp asimd bf16 sve")] // aarch64 lists "Features", not checked
    [InlineData("avx512_bf16")] // no "flags :" line at all
    [InlineData("")]
    public void FlagTextsWithoutTheWholeFlagResolveToFloat32(string cpuinfo)
    {
        var cpu = CpuInfo.Parse(cpuinfo);
        Assert.False(cpu.HasNativeBf16);
        Assert.Equal(ScalarType.Float32, ComputePrecision.ForCpu(cpu).DType);
        Assert.False(string.IsNullOrWhiteSpace(cpu.Model));
    }

    [Fact]
    public void ThisMachineResolvesToWhatItsCpuFlagsSay()
    {
        // The development machine is an AVX2-only EPYC, where this is fp32; elsewhere it follows the flags.
        var flags = OperatingSystem.IsLinux() ? File.ReadAllText("/proc/cpuinfo") : "";
        bool native = flags.Split(['\n', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Any(w => w is "avx512_bf16" or "amx_bf16");
        var choice = ComputePrecision.Auto(CPU);
        Assert.Equal(native ? ScalarType.BFloat16 : ScalarType.Float32, choice.DType);
        Assert.Equal(native, CpuInfo.Current.HasNativeBf16);
    }

    [Theory]
    [InlineData(9, 0, ScalarType.BFloat16)] // H100
    [InlineData(8, 0, ScalarType.BFloat16)] // A100
    [InlineData(8, 6, ScalarType.BFloat16)] // RTX 30xx
    [InlineData(7, 5, ScalarType.Float16)] // T4
    [InlineData(6, 0, ScalarType.Float16)] // P100
    public void CudaUsesBFloat16FromAmpereOnElseFloat16(int major, int minor, ScalarType expected)
    {
        var choice = ComputePrecision.ForCuda((major, minor));
        Assert.Equal(expected, choice.DType);
        Assert.Contains($"{major}.{minor}", choice.Reason);
    }

    [Fact]
    public void CudaOfUnknownCapabilityUsesFloat16()
    {
        Assert.Equal(ScalarType.Float16, ComputePrecision.ForCuda(null).DType);
        // Without an NVIDIA driver (this machine) the capability is unknown rather than an error.
        if (!File.Exists("/proc/driver/nvidia/version")) Assert.Null(CudaCapability.Query(0));
    }

    [Fact]
    public void OtherDevicesUseFloat32()
    {
        Assert.Equal(ScalarType.Float32, ComputePrecision.Auto(new Device(TorchSharp.DeviceType.MPS)).DType);
    }
}
