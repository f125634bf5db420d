using AnomalyClip.Inference.Thresholds;
using Xunit;

namespace AnomalyClip.Tests.Inference.Thresholds;

public sealed class DetectorThresholdsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("thresholds-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_dir.FullName, name);

    [Fact]
    public void Json_round_trip_keeps_every_field()
    {
        var saved = new DetectorThresholds
        {
            Image = 0.6234567890123456,
            Pixel = null,
            Method = "f1-optimal",
            Details = new Dictionary<string, string> { ["class"] = "bottle", ["image_f1"] = "0.95" },
        };
        string path = PathOf("bottle.thresholds.json");
        saved.Save(path);
        var loaded = DetectorThresholds.Load(path);
        Assert.Equal(saved.Image, loaded.Image);
        Assert.Null(loaded.Pixel);
        Assert.Equal("f1-optimal", loaded.Method);
        Assert.Equal(saved.Details.OrderBy(kv => kv.Key), loaded.Details.OrderBy(kv => kv.Key));
        Assert.Contains("\"image\": 0.6234567890123456", File.ReadAllText(path));
        Assert.Equal(["bottle.thresholds.json"], Directory.GetFiles(_dir.FullName).Select(Path.GetFileName));
    }

    [Fact]
    public void Minimal_file_loads_with_empty_details()
    {
        string path = PathOf("min.json");
        File.WriteAllText(path, """{ "pixel": 1.5, "method": "normal-quantile-0.99" }""");
        var loaded = DetectorThresholds.Load(path);
        Assert.Equal((null, 1.5, "normal-quantile-0.99"), (loaded.Image, loaded.Pixel, loaded.Method));
        Assert.Empty(loaded.Details);
    }

    [Theory]
    [InlineData("{ \"image\": 0.5, \"method\": ", "malformed")]
    [InlineData("{ \"image\": \"high\", \"method\": \"x\" }", "malformed")]
    [InlineData("{ \"image\": 0.5 }", "malformed")]
    [InlineData("{ \"image\": 0.5, \"method\": \"x\", \"imgae\": 1 }", "malformed")]
    [InlineData("{ \"image\": 0.5, \"method\": \"\" }", "method is empty")]
    [InlineData("{ \"method\": \"x\", \"details\": null }", "details")]
    [InlineData("null", "JSON null")]
    public void Malformed_files_raise_a_typed_error_naming_the_file(string json, string fragment)
    {
        string path = PathOf("bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<ThresholdsFileException>(() => DetectorThresholds.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Missing_file_raises_a_typed_error()
    {
        var e = Assert.Throws<ThresholdsFileException>(() => DetectorThresholds.Load(PathOf("none.json")));
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Non_finite_thresholds_are_not_saved()
    {
        var t = new DetectorThresholds { Image = double.NaN, Method = "f1-optimal" };
        Assert.Throws<ArgumentException>(() => t.Save(PathOf("nan.json")));
        Assert.False(File.Exists(PathOf("nan.json")));
    }
}
