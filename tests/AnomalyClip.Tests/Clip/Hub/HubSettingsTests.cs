using Xunit;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Hub;

namespace AnomalyClip.Tests.Clip.Hub;

/// <summary>Environment fallbacks, read through the injected lookup (the process environment is never touched).</summary>
public sealed class HubSettingsTests
{
    private static HubSettings With(params (string Name, string Value)[] env)
    {
        var map = env.ToDictionary(e => e.Name, e => e.Value);
        return HubSettings.From(new ResolveOptions { Environment = name => map.GetValueOrDefault(name) });
    }

    [Fact]
    public void CacheFolder_FollowsHuggingFaceHubPrecedence()
    {
        var home = Path.GetFullPath("/home/u");
        Assert.Equal(Path.Combine(home, ".cache", "huggingface", "hub"), With(("HOME", home)).CacheDir);
        Assert.Equal(Path.GetFullPath("/xdg/huggingface/hub"), With(("HOME", home), ("XDG_CACHE_HOME", "/xdg")).CacheDir);
        Assert.Equal(Path.GetFullPath("/hf/hub"), With(("HOME", home), ("XDG_CACHE_HOME", "/xdg"), ("HF_HOME", "/hf")).CacheDir);
        Assert.Equal(Path.GetFullPath("/legacy"), With(("HF_HOME", "/hf"), ("HUGGINGFACE_HUB_CACHE", "/legacy")).CacheDir);
        Assert.Equal(Path.GetFullPath("/c"), With(("HF_HOME", "/hf"), ("HUGGINGFACE_HUB_CACHE", "/legacy"), ("HF_HUB_CACHE", "/c")).CacheDir);
        Assert.Equal(Path.Combine(home, "cache"), With(("HOME", home), ("HF_HUB_CACHE", "~/cache")).CacheDir);
        Assert.Equal(Path.GetFullPath("/opt"), HubSettings.From(new ResolveOptions { CacheDir = "/opt", Environment = n => n == "HF_HUB_CACHE" ? "/ignored" : null }).CacheDir);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData(" on ", true)]
    public void Offline_ReadsHfHubOffline(string? value, bool offline)
    {
        var env = value is null ? [("HOME", "/h")] : new[] { ("HOME", "/h"), ("HF_HUB_OFFLINE", value) };
        Assert.Equal(offline, With(env).Offline);
    }

    [Fact]
    public void OptionsOverrideTheEnvironment()
    {
        var settings = HubSettings.From(new ResolveOptions
        {
            Endpoint = "https://mirror.example/hf/",
            Offline = false,
            Token = "opt",
            Environment = name => name switch
            {
                "HF_ENDPOINT" => "https://other.example", "HF_HUB_OFFLINE" => "1", "HF_TOKEN" => "env", "HOME" => "/h", _ => null,
            },
        });

        Assert.Equal("https://mirror.example/hf", settings.Endpoint.AbsoluteUri.TrimEnd('/'));
        Assert.False(settings.Offline);
        Assert.Equal("opt", settings.Token);
    }

    [Fact]
    public void EndpointAndToken_ComeFromTheEnvironment()
    {
        var settings = With(("HOME", "/h"), ("HF_ENDPOINT", "https://hf-mirror.example/"), ("HUGGING_FACE_HUB_TOKEN", "legacy"));
        Assert.Equal(new Uri("https://hf-mirror.example/"), settings.Endpoint);
        Assert.Equal("legacy", settings.Token);
        Assert.Equal("new", With(("HOME", "/h"), ("HF_TOKEN", "new"), ("HUGGING_FACE_HUB_TOKEN", "legacy")).Token);
        Assert.Equal(new Uri("https://huggingface.co"), With(("HOME", "/h")).Endpoint);
        Assert.Null(With(("HOME", "/h"), ("HF_TOKEN", "")).Token);
    }

    [Fact]
    public void TokenOverPlainHttp_IsRefusedExceptOnLoopback()
    {
        var error = Assert.Throws<ModelLoadException>(() => With(("HOME", "/h"), ("HF_ENDPOINT", "http://mirror.example"), ("HF_TOKEN", "t")));
        Assert.Contains("refusing to send the hub token over plain http", error.Message);
        Assert.Equal("t", With(("HOME", "/h"), ("HF_ENDPOINT", "http://127.0.0.1:8080"), ("HF_TOKEN", "t")).Token);
        Assert.Throws<ModelLoadException>(() => With(("HOME", "/h"), ("HF_ENDPOINT", "ftp://x")));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("a b")]
    public void BadRevision_IsRejected(string revision) =>
        Assert.Throws<ArgumentException>(() => HubSettings.From(new ResolveOptions { Revision = revision, Environment = n => n == "HOME" ? "/h" : null }));
}
