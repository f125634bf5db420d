using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>Parses <c>--device</c> values (<see cref="DeviceNames"/>), naming the option in errors.</summary>
internal static class DeviceOption
{
    public static Device Parse(string value)
    {
        try
        {
            return DeviceNames.Parse(value);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--device {e.Message}", e);
        }
    }
}
