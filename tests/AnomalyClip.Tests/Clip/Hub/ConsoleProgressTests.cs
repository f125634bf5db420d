using Xunit;
using AnomalyClip.Clip.Hub;

namespace AnomalyClip.Tests.Clip.Hub;

public sealed class ConsoleProgressTests
{
    private const long MiB = 1 << 20;

    private static string Render(bool interactive, params long[] done)
    {
        var text = new StringWriter { NewLine = "\n" };
        var progress = new ConsoleProgress(text, interactive);
        foreach (var d in done) progress.Report(new DownloadProgress("org/repo", "w.safetensors", d, 10 * MiB));
        return text.ToString();
    }

    [Fact]
    public void PlainLines_AtStart_EveryTenPercent_AndDone()
    {
        var text = Render(false, 0, MiB / 2, MiB, 2 * MiB + 1, 2 * MiB + 2, 9 * MiB, 10 * MiB);

        Assert.Equal(
            "downloading org/repo/w.safetensors (10.0 MiB)\n" +
            "  org/repo/w.safetensors: 10%\n" +
            "  org/repo/w.safetensors: 20%\n" +
            "  org/repo/w.safetensors: 90%\n" +
            "downloaded org/repo/w.safetensors\n", text);
    }

    [Fact]
    public void PlainLines_SayWhereAResumeStarts()
    {
        Assert.StartsWith("downloading org/repo/w.safetensors (10.0 MiB), resuming at 5.0 MiB\n", Render(false, 5 * MiB, 10 * MiB));
    }

    [Fact]
    public void Bar_IsRedrawnInPlace_OncePerPercent_AndEndsWithANewline()
    {
        var text = Render(true, 0, MiB / 1000, 5 * MiB, 10 * MiB);

        Assert.Equal(
            "\rorg/repo/w.safetensors [..............................]   0% 0.0/10.0 MiB" +
            "\rorg/repo/w.safetensors [###############...............]  50% 5.0/10.0 MiB" +
            "\rorg/repo/w.safetensors [##############################] 100% 10.0/10.0 MiB\n", text);
    }
}
