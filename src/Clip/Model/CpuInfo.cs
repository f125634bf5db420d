using System.Runtime.InteropServices;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// What this machine's CPU is and whether it computes bfloat16 natively (AVX512-BF16 or AMX-BF16), which decides
/// whether bf16 is faster than fp32 on it: without those instructions libtorch converts bf16 to fp32 around every
/// kernel and runs several times slower than fp32.
/// </summary>
/// <param name="Model">The CPU's marketing name (Linux: <c>model name</c> in /proc/cpuinfo), or a placeholder naming
/// the architecture where it cannot be read.</param>
/// <param name="NativeBf16Flags">The native-bf16 feature flags the CPU reports (<c>avx512_bf16</c>, <c>amx_bf16</c>);
/// empty when it reports none or the flags cannot be read.</param>
public sealed record CpuInfo(string Model, IReadOnlyList<string> NativeBf16Flags)
{
    private static readonly string[] Bf16Flags = ["avx512_bf16", "amx_bf16"];
    private static readonly Lazy<CpuInfo> CurrentLazy = new(ReadCurrent);

    /// <summary>True when the CPU has bf16 arithmetic instructions that libtorch's kernels use.</summary>
    public bool HasNativeBf16 => NativeBf16Flags.Count > 0;

    /// <summary>
    /// This machine's CPU, read once. On Linux from /proc/cpuinfo; elsewhere .NET offers no check for these
    /// instructions, so no native bf16 is assumed (fp32 is never the slow choice).
    /// </summary>
    public static CpuInfo Current => CurrentLazy.Value;

    /// <summary>
    /// Parses the text of Linux's /proc/cpuinfo (or just its <c>flags</c> line): the first <c>model name</c> and the
    /// native-bf16 flags of the first <c>flags</c> line (every core of one machine reports the same).
    /// </summary>
    /// <param name="cpuinfo">The file's text; lines without a "key : value" shape are ignored.</param>
    public static CpuInfo Parse(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        string? model = null, flags = null;
        foreach (var line in cpuinfo.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "model name") model ??= value;
            else if (key == "flags") flags ??= value;
        }
        var words = (flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new CpuInfo(model ?? UnknownModel(), Bf16Flags.Where(words.Contains).ToArray());
    }

    private static CpuInfo ReadCurrent()
    {
        const string path = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux()) return new CpuInfo(UnknownModel(), []);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A sandbox may hide /proc: an unknown CPU resolves to fp32, which is correct everywhere, only slower.
            return new CpuInfo(UnknownModel(), []);
        }
    }

    private static string UnknownModel() => $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
}
