using AnomalyClip.Tests.Deploy;
using AnomalyClip.Tests.Support;
using Xunit;

namespace AnomalyClip.Tests.Scripts;

/// <summary>
/// <c>scripts/gpu-check.sh</c> where no GPU answers: it must fail with exit code 2 and one line saying so, never pass
/// silently. PATH is replaced, so the check is the same on a machine that has a GPU.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class GpuCheckScriptTests
{
    private static string Script => Path.Combine(Golden.RepoRoot, "scripts", "gpu-check.sh");

    [Fact]
    public void WithoutNvidiaSmiItFailsClearly()
    {
        var empty = Directory.CreateTempSubdirectory("gpu-check-").FullName;
        var (code, stdout, stderr) = DeployFiles.Bash(new Dictionary<string, string> { ["PATH"] = empty }, Script);
        Assert.Equal(2, code);
        Assert.Equal("gpu-check: no NVIDIA GPU here (nvidia-smi not found); nothing was checked", stderr.TrimEnd());
        Assert.Empty(stdout);
    }

    [Fact]
    public void WhenNvidiaSmiFailsItFailsClearlyAndQuotesIt()
    {
        var dir = Directory.CreateTempSubdirectory("gpu-check-").FullName;
        var standIn = Path.Combine(dir, "nvidia-smi");
        File.WriteAllText(standIn, "#!/bin/sh\necho \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"\nexit 9\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (code, stdout, stderr) = DeployFiles.Bash(new Dictionary<string, string> { ["PATH"] = dir }, Script);
        Assert.Equal(2, code);
        Assert.Equal("gpu-check: no usable NVIDIA GPU here (nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate " +
            "with the NVIDIA driver.); nothing was checked", stderr.TrimEnd());
        Assert.Empty(stdout);
    }
}
