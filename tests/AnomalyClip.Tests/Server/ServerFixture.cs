using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Server;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using AnomalyClip.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;

namespace AnomalyClip.Tests.Server;

/// <summary>
/// What the server tests share: one few-shot detector on the shared ResNet-18 with banks of the two sample classes
/// (k = 2), and apps built around it with <see cref="InspectionServer.Build"/> on the in-memory test server (the server
/// that <c>WebApplicationFactory</c> wraps; the factory itself needs an app's entry point, and this app is built by a
/// library call).
/// </summary>
internal static class ServerFixture
{
    public const string Hazelnut = "hazelnut_toy";
    public const string Paper = "paper_bdp01";

    private static readonly Lazy<(CnnFewShotDetector Detector, SharedResNet18.CountingBackbone Backbone)> Shared = new(() =>
    {
        var backbone = SharedResNet18.View();
        var detector = CnnFewShotDetector.Create(backbone);
        foreach (var cls in new[] { Hazelnut, Paper })
            detector.AddBank(detector.BuildBank(Directory.GetFiles(Sample(cls, "train", "good")).Order(StringComparer.Ordinal).Take(2).ToArray(), cls));
        return (detector, backbone);
    });

    /// <summary>The shared detector (do not dispose).</summary>
    public static CnnFewShotDetector Detector => Shared.Value.Detector;

    /// <summary>Forward passes of the shared detector's backbone so far.</summary>
    public static int ForwardCalls => Shared.Value.Backbone.ForwardCalls;

    public static DetectorThresholds Thresholds { get; } = new() { Image = 0.5, Pixel = 12, Method = "test" };

    public static string Sample(params string[] parts) => Path.Combine([Golden.Samples, .. parts]);

    public static byte[] Png(string cls, string defect, string file) => File.ReadAllBytes(Sample(cls, "test", defect, file));

    /// <summary>The two sample classes on <paramref name="detector"/> (the shared one when null); the set owns nothing.</summary>
    public static DetectorSet Classes(AnomalyDetector? detector = null) => new(
        [new ServedClass(Hazelnut, detector ?? Detector, Thresholds, "resnet18"), new ServedClass(Paper, detector ?? Detector, Thresholds, "resnet18")], []);

    /// <summary>A started app on the test server; <paramref name="detectors"/> default to <see cref="Classes"/>.</summary>
    public static Task<WebApplication> StartAsync(ServerOptions? options = null, Func<CancellationToken, DetectorSet>? detectors = null, bool waitReady = true) =>
        StartWithAsync(options ?? new ServerOptions(), detectors ?? (_ => Classes()), waitReady);

    /// <summary>A started app on the test server whose detectors are built from <paramref name="options"/>' class specs.</summary>
    public static Task<WebApplication> StartConfiguredAsync(ServerOptions options, bool waitReady = true) => StartWithAsync(options, null, waitReady);

    private static async Task<WebApplication> StartWithAsync(ServerOptions options, Func<CancellationToken, DetectorSet>? detectors, bool waitReady)
    {
        var app = InspectionServer.Build(options, [], detectors, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        if (waitReady) await WaitReadyAsync(app);
        return app;
    }

    public static HttpClient Client(WebApplication app) => app.GetTestClient();

    public static async Task WaitReadyAsync(WebApplication app)
    {
        var host = (InspectionHost)app.Services.GetService(typeof(InspectionHost))!;
        for (int i = 0; i < 600 && host.State == InspectionHost.Loading; i++) await Task.Delay(50);
        if (host.State != InspectionHost.Ready) throw new InvalidOperationException($"the server is {host.State}: {host.Failure}");
    }

    public static InspectionHost Host(WebApplication app) => (InspectionHost)app.Services.GetService(typeof(InspectionHost))!;

    /// <summary>POSTs a raw image body.</summary>
    public static Task<HttpResponseMessage> InspectAsync(HttpClient client, byte[] body, string contentType = "image/png", string query = "class=hazelnut_toy")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return client.PostAsync("/v1/inspect?" + query, content);
    }
}
