using AnomalyClip.Inference.FewShot;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using AnomalyClip.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace AnomalyClip.Server.Api;

/// <summary>The routes of the service, with their OpenAPI descriptions.</summary>
internal static class Endpoints
{
    public static void Map(IEndpointRouteBuilder app, CollectorRegistry registry)
    {
        app.MapGet("/", () => Results.Content(WebPage.Html, "text/html; charset=utf-8")).ExcludeFromDescription();

        app.MapPost("/v1/inspect", (HttpContext context, [FromQuery(Name = "class")] string? className, [FromQuery(Name = "return")] string? parts,
                InspectHandler handler) => handler.HandleAsync(context, className, parts))
            .WithName("Inspect")
            .WithSummary("Inspect one image")
            .WithDescription("The image is the raw body (Content-Type image/png, image/jpeg, image/bmp, image/tiff) or the multipart/form-data field " +
                "'image'. class: a served class (optional when only one is served). return: comma-separated extras: overlay, mask, map. " +
                "Requests of one class that arrive together share one forward pass.")
            .AddOpenApiOperationTransformer(InspectRequestDocs.Describe)
            .Produces<InspectionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();

        app.MapGet("/v1/detectors", (InspectionHost host, ServerOptions options) => host.State == InspectionHost.Ready
                ? Results.Json(Describe(host, options))
                : Problems.NotReady(host.State, host.Failure))
            .WithName("Detectors")
            .WithSummary("The served classes: backbone, map size, score meaning, thresholds")
            .Produces<DetectorsResponse>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/healthz", () => Results.Json(new HealthStatus("alive", null)))
            .WithName("Health").WithSummary("Liveness: the process answers").Produces<HealthStatus>();

        app.MapGet("/readyz", (InspectionHost host) => Results.Json(new HealthStatus(host.State, host.Failure),
                statusCode: host.State == InspectionHost.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable))
            .WithName("Ready").WithSummary("Readiness: 200 once every detector is loaded, 503 while loading or when loading failed")
            .Produces<HealthStatus>().Produces<HealthStatus>(StatusCodes.Status503ServiceUnavailable);

        app.MapMetrics("/metrics", registry);
    }

    private static DetectorsResponse Describe(InspectionHost host, ServerOptions options) => new(
        host.Classes.Values.Select(c => new DetectorInfo(c.Name, c.Backbone, c.Detector.Device.ToString(),
            c.Detector is MemoryBankDetector ? "few-shot" : "zero-shot", c.Detector.MapSize, c.Detector.ScoreDescription, c.Detector.MapDescription,
            c.Thresholds?.Image, c.Thresholds?.Pixel, c.Thresholds?.Method,
            c.Detector.Settings.GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.First().Value))).ToArray(),
        options.BatchLimit, options.QueueLimit, options.MaxRequestBytes, options.MaxPixels, options.PageHistory);
}

/// <summary>The answer of <c>/healthz</c> and <c>/readyz</c>.</summary>
/// <param name="Status">alive (healthz); loading, ready or failed (readyz).</param>
/// <param name="Error">Why loading failed, or null.</param>
internal sealed record HealthStatus(string Status, string? Error);
