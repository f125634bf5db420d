using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Server.Detectors;

/// <summary>Device names in the server config: cpu, cuda, cuda:N (as the CLI's <c>--device</c>).</summary>
internal static class DeviceName
{
    public static Device Parse(string value, string where)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v == "cpu") return CPU;
        if (!v.StartsWith("cuda", StringComparison.Ordinal)) throw new Configuration.ServerConfigException(where, $"unknown device '{value}' (cpu, cuda, cuda:N)");
        torch.InitializeDeviceType(DeviceType.CUDA);
        if (!cuda.is_available()) throw new Configuration.ServerConfigException(where, $"device {value}: CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)");
        return v == "cuda" ? CUDA : new Device(v);
    }
}
