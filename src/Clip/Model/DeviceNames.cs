using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>Device names as the CLI's <c>--device</c> and the server's config write them: cpu, cuda, cuda:N.</summary>
public static class DeviceNames
{
    private const string CudaBuildHint = "build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU";

    /// <summary>The device <paramref name="name"/> names (case-insensitive), checked to be usable.</summary>
    /// <exception cref="ArgumentException">The name is unknown, this build carries the CPU libtorch only, or CUDA is not
    /// available; the message starts with the name.</exception>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var v = name.Trim().ToLowerInvariant();
        if (v == "cpu") return CPU;
        if (!v.StartsWith("cuda", StringComparison.Ordinal)) throw new ArgumentException($"{name}: unknown device (cpu, cuda, cuda:N)");
        try
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
        {
            throw new ArgumentException($"{name}: this build carries the CPU libtorch only ({CudaBuildHint})", e);
        }
        if (!cuda.is_available()) throw new ArgumentException($"{name}: CUDA is not available ({CudaBuildHint})");
        return v == "cuda" ? CUDA : new Device(v);
    }
}
