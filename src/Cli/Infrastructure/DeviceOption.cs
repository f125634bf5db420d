using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>Parses <c>--device</c> values: "cpu", "cuda", "cuda:N".</summary>
internal static class DeviceOption
{
    public static Device Parse(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v == "cpu") return CPU;
        if (v.StartsWith("cuda", StringComparison.Ordinal))
        {
            try
            {
                torch.InitializeDeviceType(DeviceType.CUDA);
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or DllNotFoundException)
            {
                throw new ArgumentException($"--device {value}: this build carries the CPU libtorch only (build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)", e);
            }
            if (!cuda.is_available())
                throw new ArgumentException("--device cuda: CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)");
            return v == "cuda" ? CUDA : new Device(v);
        }
        throw new ArgumentException($"--device: unknown device '{value}' (cpu, cuda, cuda:N)");
    }
}
