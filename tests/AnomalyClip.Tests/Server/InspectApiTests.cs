using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AnomalyClip.Server.Configuration;
using SixLabors.ImageSharp;
using Xunit;
using static AnomalyClip.Tests.Server.ServerFixture;

namespace AnomalyClip.Tests.Server;

/// <summary><c>POST /v1/inspect</c> and the read-only routes, on the shared detector: answers, and every refusal as a problem.</summary>
public class InspectApiTests
{
    private static readonly byte[] Defective = Png(Hazelnut, "colour", "01.png");

    [Fact]
    public async Task AGoodImageGetsScoreLabelOverlayMaskAndMap()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using var response = await InspectAsync(client, Defective, query: $"class={Hazelnut}&return=overlay,mask,map");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var r = json.RootElement;

        // The same image through the library gives the same score: the server adds nothing to the detector.
        var expected = Detector.Predict(Sample(Hazelnut, "test", "colour", "01.png"), Hazelnut);
        Assert.Equal(expected.Score, r.GetProperty("score").GetDouble(), 6);
        Assert.Equal(expected.MapMax, r.GetProperty("map_max").GetDouble(), 4);
        Assert.Equal(expected.Score > 0.5 ? "anomalous" : "normal", r.GetProperty("label").GetString());
        Assert.Equal(0.5, r.GetProperty("threshold").GetDouble());
        Assert.Equal((512, 512, 224), (r.GetProperty("width").GetInt32(), r.GetProperty("height").GetInt32(), r.GetProperty("map_size").GetInt32()));
        var fraction = r.GetProperty("defect_fraction").GetDouble();
        Assert.Equal(expected.Map.Values.Count(v => v > 12) / (224.0 * 224), fraction, 6);
        Assert.True(r.GetProperty("elapsed_ms").GetDouble() > 0);

        using var overlay = Image.Load(Convert.FromBase64String(r.GetProperty("overlay_png").GetString()!));
        using var mask = Image.Load(Convert.FromBase64String(r.GetProperty("mask_png").GetString()!));
        Assert.Equal((224, 224, 224, 224), (overlay.Width, overlay.Height, mask.Width, mask.Height));
        var map = r.GetProperty("map");
        Assert.Equal(224, map.GetArrayLength());
        Assert.Equal(expected.Map[10, 20], map[20][10].GetSingle(), 3);
    }

    [Fact]
    public async Task MultipartFieldImageAndSingleClassDefaultWork()
    {
        var options = new ServerOptions();
        await using var app = await StartAsync(options, _ => new(new[] { new AnomalyClip.Server.Detectors.ServedClass(Paper, Detector, null, "resnet18") }, []));
        using var client = Client(app);
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(Png(Paper, "good", Directory.GetFiles(Sample(Paper, "test", "good")).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!));
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, "image", "part.png");
        using var response = await client.PostAsync("/v1/inspect", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(Paper, json.RootElement.GetProperty("class").GetString());
        // No thresholds: no label and no mask, said as nulls rather than guessed.
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("label").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("defect_fraction").ValueKind);
        Assert.False(json.RootElement.TryGetProperty("overlay_png", out _));
    }

    public static TheoryData<string, string, byte[], string, HttpStatusCode, string> Refusals() => new()
    {
        { "truncated PNG", "image/png", Defective[..200], $"class={Hazelnut}", HttpStatusCode.BadRequest, "undecodable_image" },
        { "text as PNG", "image/png", "hello"u8.ToArray(), $"class={Hazelnut}", HttpStatusCode.BadRequest, "undecodable_image" },
        { "text", "text/plain", "hello"u8.ToArray(), $"class={Hazelnut}", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "GIF", "image/gif", "GIF89a"u8.ToArray(), $"class={Hazelnut}", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type" },
        { "unknown class", "image/png", Defective, "class=bottle", HttpStatusCode.NotFound, "unknown_class" },
        { "no class of two", "image/png", Defective, "", HttpStatusCode.BadRequest, "missing_class" },
        { "unknown return part", "image/png", Defective, $"class={Hazelnut}&return=overlay,jpeg", HttpStatusCode.BadRequest, "bad_return" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BadRequestsAreProblemsNamingWhatIsWrong(string what, string contentType, byte[] body, string query, HttpStatusCode status, string code)
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using var response = await InspectAsync(client, body, contentType, query);
        await AssertProblem(response, status, code, what);
    }

    [Fact]
    public async Task OversizeBodiesAndImagesAre413()
    {
        await using var app = await StartAsync(new ServerOptions { MaxRequestBytes = 1_000_000, MaxPixels = 200_000 });
        using var client = Client(app);
        using (var big = await InspectAsync(client, new byte[1_000_001]))
            await AssertProblem(big, HttpStatusCode.RequestEntityTooLarge, "request_too_large", "body over the byte limit");
        // 512×512 = 262,144 pixels in a PNG under the byte limit: refused from its header.
        Assert.True(Defective.Length < 1_000_000);
        using (var wide = await InspectAsync(client, Defective))
        {
            var detail = await AssertProblem(wide, HttpStatusCode.RequestEntityTooLarge, "image_too_large", "image over the pixel limit");
            Assert.Contains("262144 pixels", detail);
        }
    }

    [Fact]
    public async Task DetectorsHealthOpenApiPageAndMetricsAnswer()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using (var ok = await InspectAsync(client, Defective)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var bad = await InspectAsync(client, Defective, "text/plain")) Assert.Equal(HttpStatusCode.UnsupportedMediaType, bad.StatusCode);

        using var detectors = JsonDocument.Parse(await client.GetStringAsync("/v1/detectors"));
        var classes = detectors.RootElement.GetProperty("classes");
        Assert.Equal([Hazelnut, Paper], classes.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var first = classes[0];
        Assert.Equal(("resnet18", "few-shot", 224, 0.5, 12.0), (first.GetProperty("backbone").GetString(), first.GetProperty("mode").GetString(),
            first.GetProperty("map_size").GetInt32(), first.GetProperty("image_threshold").GetDouble(), first.GetProperty("pixel_threshold").GetDouble()));
        Assert.Equal(Detector.ScoreDescription, first.GetProperty("score").GetString());

        Assert.Contains("alive", await client.GetStringAsync("/healthz"));
        Assert.Contains("ready", await client.GetStringAsync("/readyz"));
        var openApi = await client.GetStringAsync("/openapi/v1.json");
        foreach (var part in new[] { "/v1/inspect", "/v1/detectors", "/readyz", "multipart/form-data", "image/png", "\"class\"", "\"return\"" }) Assert.Contains(part, openApi);
        var page = await client.GetStringAsync("/");
        Assert.Contains("AnomalyClip inspection", page);

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("anomalyclip_inspect_requests_total{outcome=\"ok\"} 1", metrics);
        Assert.Contains("anomalyclip_inspect_requests_total{outcome=\"unsupported_media_type\"} 1", metrics);
        Assert.Contains("anomalyclip_inspect_request_duration_seconds_count 2", metrics);
        Assert.Contains("anomalyclip_inference_duration_seconds_count{device=\"cpu\"} 1", metrics);
        Assert.Contains("anomalyclip_queue_depth{device=\"cpu\"} 0", metrics);
        Assert.Contains("anomalyclip_detectors_ready 1", metrics);
    }

    [Fact]
    public async Task UnknownRoutesAreProblemsToo()
    {
        await using var app = await StartAsync();
        using var client = Client(app);
        using var response = await client.GetAsync("/v2/nothing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Checks status, problem media type and code, that no stack trace leaks; returns the detail.</summary>
    internal static async Task<string> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{what}: {response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        var detail = json.RootElement.GetProperty("detail").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain(" at AnomalyClip", text);
        Assert.DoesNotContain("   at ", text);
        return detail;
    }
}
