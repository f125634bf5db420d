using System.Text.Json;
using AnomalyClip.Server.Api;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using AnomalyClip.Server.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnomalyClip.Server;

/// <summary>
/// The inspection service of <c>anomalyclip serve</c>: <c>POST /v1/inspect</c>, <c>GET /v1/detectors</c>,
/// <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> (Prometheus), <c>/openapi/v1.json</c> and the web page at <c>/</c>,
/// over any <see cref="Inference.Detection.AnomalyDetector"/>.
/// </summary>
/// <remarks>
/// The detectors load in the background once the app starts (<c>/readyz</c> answers 503 until they are ready). Each
/// device has one inference queue whose worker micro-batches requests of one class into a single forward pass.
/// Stopping the app finishes the queued requests, then releases the detectors.
/// </remarks>
public static class InspectionServer
{
    // Multipart framing around the image may exceed the image limit a little; the handler enforces the exact limit.
    private const long MultipartAllowance = 64 * 1024;

    /// <summary>Builds the app (not started): run it with <c>Run</c>/<c>RunAsync</c>, or <c>StartAsync</c> and <c>StopAsync</c>.</summary>
    /// <param name="options">What to serve and the limits.</param>
    /// <param name="args">ASP.NET Core arguments, e.g. <c>--urls http://127.0.0.1:5000</c>.</param>
    /// <param name="detectors">
    /// Builds the served classes (called once, in the background, with a token cancelled when the app stops); when
    /// null they are built from <paramref name="options"/>' class specs.
    /// </param>
    /// <param name="configure">Last changes to the builder before it is built (e.g. a test server).</param>
    /// <exception cref="ServerConfigException">A limit is out of range, or no class is configured (without <paramref name="detectors"/>).</exception>
    public static WebApplication Build(ServerOptions options, string[] args, Func<CancellationToken, DetectorSet>? detectors = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(args);
        if (detectors is null) options.Validate("server options");
        else options.ValidateLimits("server options");

        var builder = WebApplication.CreateBuilder(args);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton(sp => new InspectionHost(
            detectors ?? (cancel => DetectorFactory.Load(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("AnomalyClip.Server.Detectors"), cancel)),
            options, sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<ILogger<InspectionHost>>()));
        services.AddHostedService(sp => sp.GetRequiredService<InspectionHost>());
        services.AddSingleton<InspectHandler>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddOpenApi();
        services.AddProblemDetails();
        // Request logs are the access log's job (a proxy's); the server logs what it decides.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // In-flight requests get up to their own timeout to finish when the app stops.
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds + 5));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes + MultipartAllowance);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteInternalError });
        // Bare error statuses from routing (404, 405) get a problem body too.
        app.UseStatusCodePages();
        app.MapOpenApi();
        Endpoints.Map(app, app.Services.GetRequiredService<ServerMetrics>().Registry);
        return app;
    }

    // Whatever escaped: a generic problem; the exception itself goes to the log only (never a stack trace in a response).
    private static Task WriteInternalError(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AnomalyClip.Server").LogError(error, "unhandled error on {Path}", context.Request.Path);
        return Problems.Of(StatusCodes.Status500InternalServerError, "internal_error", "Internal server error", "the server failed on this request; see its log")
            .ExecuteAsync(context);
    }
}
