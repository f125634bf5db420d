using AnomalyClip.Cli.Infrastructure;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Support;

/// <summary>
/// The device <see cref="AnomalyClip.Tests.Inference.Detection.DeviceParityTests"/> runs on: the environment variable
/// <c>ANOMALYCLIP_TEST_DEVICE</c> (cpu, cuda or cuda:N, parsed as <c>--device</c>), cpu when unset. Only
/// <c>scripts/gpu-check.sh</c> sets it; every other test runs on the CPU.
/// </summary>
public static class TestDevice
{
    /// <summary>The environment variable's name.</summary>
    public const string Variable = "ANOMALYCLIP_TEST_DEVICE";

    private static readonly Lazy<Device> CurrentLazy = new(() => DeviceOption.Parse(Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : "cpu"));

    /// <summary>The device asked for (CUDA is initialised on first use; a CPU-only build fails with the CLI's message).</summary>
    public static Device Current => CurrentLazy.Value;
}
