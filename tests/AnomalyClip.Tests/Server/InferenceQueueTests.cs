using System.Net;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using Xunit;
using static AnomalyClip.Tests.Server.ServerFixture;

namespace AnomalyClip.Tests.Server;

/// <summary>
/// The inference queue under load, with the worker held inside a forward pass (<see cref="GatedDetector"/>) so the
/// order of events is fixed: micro-batching, the queue limit, the request timeout, readiness and graceful shutdown.
/// </summary>
public class InferenceQueueTests
{
    private static readonly byte[] Image = Png(Hazelnut, "colour", "01.png");

    [Fact]
    public async Task ConcurrentRequestsOfAClassShareForwardPasses()
    {
        var gated = new GatedDetector(Detector);
        await using var app = await StartAsync(new ServerOptions { BatchLimit = 8 }, _ => Classes(gated));
        using var client = Client(app);
        gated.Gate.Reset();
        var first = InspectAsync(client, Image);
        Assert.True(await gated.Entered.WaitAsync(TimeSpan.FromSeconds(20)), "the first request never reached the detector");
        int before = ForwardCalls;

        // Seven more arrive while the first pass runs: they wait together and go through as one batch.
        var rest = Enumerable.Range(0, 7).Select(_ => InspectAsync(client, Image)).ToArray();
        await WaitForAsync(() => Host(app).Waiting == 7);
        gated.Gate.Set();
        var responses = await Task.WhenAll([first, .. rest]);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([1, 7], gated.Batches);
        Assert.Equal(2, ForwardCalls - before);

        // Batched results equal one-at-a-time results.
        var scores = await Task.WhenAll(responses.Select(async r => System.Text.Json.JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("score").GetDouble()));
        Assert.All(scores, s => Assert.Equal(scores[0], s, 5));
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("anomalyclip_inference_batch_size_count{device=\"cpu\"} 2", metrics);
        Assert.Contains("anomalyclip_inference_batch_size_sum{device=\"cpu\"} 8", metrics);
    }

    [Fact]
    public async Task WithoutBatchingEveryRequestIsItsOwnPass()
    {
        var gated = new GatedDetector(Detector);
        await using var app = await StartAsync(new ServerOptions { BatchLimit = 1 }, _ => Classes(gated));
        using var client = Client(app);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => InspectAsync(client, Image)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal([1, 1, 1, 1], gated.Batches);
    }

    [Fact]
    public async Task AFullQueueAnswers429WithRetryAfter()
    {
        var gated = new GatedDetector(Detector);
        await using var app = await StartAsync(new ServerOptions { BatchLimit = 1, QueueLimit = 2 }, _ => Classes(gated));
        using var client = Client(app);
        gated.Gate.Reset();
        var running = InspectAsync(client, Image);
        Assert.True(await gated.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        var queued = new[] { InspectAsync(client, Image), InspectAsync(client, Image) };
        await WaitForAsync(() => Host(app).Waiting == 2);

        using (var refused = await InspectAsync(client, Image))
        {
            await InspectApiTests.AssertProblem(refused, HttpStatusCode.TooManyRequests, "queue_full", "third waiting request");
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        }
        gated.Gate.Set();
        Assert.All(await Task.WhenAll([running, .. queued]), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains("anomalyclip_inspect_requests_total{outcome=\"queue_full\"} 1", await client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task ARequestThatWaitsTooLongTimesOutAndIsDropped()
    {
        var gated = new GatedDetector(Detector);
        await using var app = await StartAsync(new ServerOptions { BatchLimit = 1, RequestTimeoutSeconds = 0.5 }, _ => Classes(gated));
        using var client = Client(app);
        gated.Gate.Reset();
        var running = InspectAsync(client, Image);
        Assert.True(await gated.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        using (var late = await InspectAsync(client, Image))
            await InspectApiTests.AssertProblem(late, HttpStatusCode.ServiceUnavailable, "timeout", "queued behind a blocked pass");
        gated.Gate.Set();
        using (await running) { }
        // The timed-out job never reached the detector.
        await WaitForAsync(() => Host(app).Waiting == 0);
        Assert.Single(gated.Batches);
    }

    [Fact]
    public async Task ReadinessWaitsForTheDetectorsToLoad()
    {
        using var loaded = new ManualResetEventSlim();
        await using var app = await StartAsync(detectors: cancel =>
        {
            loaded.Wait(cancel);
            return Classes();
        }, waitReady: false);
        using var client = Client(app);
        using (var loading = await client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
            Assert.Contains("loading", await loading.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        using (var early = await InspectAsync(client, Image))
            await InspectApiTests.AssertProblem(early, HttpStatusCode.ServiceUnavailable, "not_ready", "inspect while loading");
        Assert.Contains("anomalyclip_detectors_ready 0", await client.GetStringAsync("/metrics"));

        loaded.Set();
        await WaitReadyAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await InspectAsync(client, Image)).StatusCode);
    }

    [Fact]
    public async Task AFailedLoadIsReportedNotHidden()
    {
        await using var app = await StartAsync(detectors: _ => throw new ServerConfigException("class 'x'", "/models/x.bank: memory bank not found"), waitReady: false);
        using var client = Client(app);
        await WaitForAsync(() => Host(app).State != InspectionHost.Loading);
        using var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var body = await ready.Content.ReadAsStringAsync();
        Assert.Contains("failed", body);
        Assert.Contains("memory bank not found", body);
    }

    [Fact]
    public async Task StoppingFinishesTheRequestsInFlight()
    {
        var gated = new GatedDetector(Detector);
        var app = await StartAsync(new ServerOptions { BatchLimit = 1 }, _ => Classes(gated));
        using var client = Client(app);
        gated.Gate.Reset();
        var running = InspectAsync(client, Image);
        Assert.True(await gated.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        var queued = InspectAsync(client, Image);
        await WaitForAsync(() => Host(app).Waiting == 1);

        var stopping = app.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted, "the server stopped before its requests were answered");
        gated.Gate.Set();
        Assert.All(await Task.WhenAll(running, queued), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        await app.DisposeAsync();
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int i = 0; i < 400 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), "the condition was not reached within 10 s");
    }
}
