using System.Diagnostics;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Server.Configuration;
using AnomalyClip.Server.Detectors;
using AnomalyClip.Server.Observability;
using AnomalyClip.Server.Queue;
using Microsoft.AspNetCore.Http;
using Outcome = AnomalyClip.Server.Observability.ServerMetrics.Outcome;

namespace AnomalyClip.Server.Api;

/// <summary>
/// <c>POST /v1/inspect</c>: reads and decodes the image on the request's thread, queues it for its class's device,
/// waits for the micro-batched forward pass (bounded by the request timeout), and renders the response. Every
/// refusal is a problem response with the status the brief of the API names; every request is counted by outcome.
/// </summary>
internal sealed class InspectHandler(InspectionHost host, ServerOptions options, ServerMetrics metrics)
{
    private readonly ImageDecoder _decoder = options.CreateDecoder();

    public async Task<IResult> HandleAsync(HttpContext context, string? className, string? returnParts)
    {
        var watch = Stopwatch.StartNew();
        var (outcome, result) = await InspectAsync(context, className, returnParts, watch).ConfigureAwait(false);
        metrics.Requests.WithLabels(outcome).Inc();
        metrics.RequestDuration.Observe(watch.Elapsed.TotalSeconds);
        return result;
    }

    private async Task<(string Outcome, IResult Result)> InspectAsync(HttpContext context, string? className, string? returnParts, Stopwatch watch)
    {
        if (host.State != InspectionHost.Ready) return (Outcome.NotReady, Problems.NotReady(host.State, host.Failure));
        var classes = host.Classes;
        className ??= classes.Count == 1 ? classes.Keys.Single() : null;
        if (className is null)
            return (Outcome.BadRequest, Problems.BadRequest("missing_class", "No class", $"give ?class=NAME, one of: {string.Join(", ", classes.Keys)}"));
        if (!classes.TryGetValue(className, out var served))
            return (Outcome.UnknownClass, Problems.Of(StatusCodes.Status404NotFound, "unknown_class", "Unknown class",
                $"class '{className}' is not served; served classes: {string.Join(", ", classes.Keys)}"));
        if (!ResultPartsParser.TryParse(returnParts, out var parts, out var partsError))
            return (Outcome.BadRequest, Problems.BadRequest("bad_return", "Bad return parameter", partsError!));

        RequestBody.Outcome body;
        try
        {
            body = await RequestBody.ReadAsync(context.Request, options.MaxRequestBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own limits and framing errors, met while reading the body.
            return e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? (Outcome.TooLarge, Problems.Of(e.StatusCode, "request_too_large", "Request too large", $"the request body is larger than {options.MaxRequestBytes} bytes"))
                : (Outcome.BadRequest, Problems.BadRequest("bad_body", "Unreadable request body", e.Message));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return (Outcome.ClientGone, Results.Empty);
        }
        if (body.Problem is not null) return (body.MetricOutcome!, body.Problem);
        if (ImageSize.Pixels(body.Bytes!) is long pixels && pixels > options.MaxPixels)
            return (Outcome.TooLarge, Problems.Of(StatusCodes.Status413PayloadTooLarge, "image_too_large", "Image too large",
                $"the image has {pixels} pixels; the limit is {options.MaxPixels}"));
        DecodedImage image;
        try
        {
            image = _decoder.Decode(new MemoryStream(body.Bytes!, writable: false), "request image");
        }
        catch (ImageLoadException e)
        {
            return (Outcome.BadRequest, Problems.BadRequest("undecodable_image", "Undecodable image", e.Message));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.RequestTimeoutSeconds));
        var job = new InspectionJob(served, image, timeout.Token);
        switch (host.Enqueue(job))
        {
            case EnqueueOutcome.Full:
                context.Response.Headers.RetryAfter = "1";
                return (Outcome.QueueFull, Problems.Of(StatusCodes.Status429TooManyRequests, "queue_full", "Too many requests",
                    $"{options.QueueLimit} requests are already waiting for inference; retry later"));
            case EnqueueOutcome.Closed:
                return (Outcome.Stopping, Problems.Of(StatusCodes.Status503ServiceUnavailable, "stopping", "Server stopping", "the server is shutting down"));
        }

        AnomalyResult result;
        try
        {
            result = await job.Result.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return (Outcome.ClientGone, Results.Empty);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (Outcome.Timeout, Problems.Of(StatusCodes.Status503ServiceUnavailable, "timeout", "Inference timed out",
                $"no result within {options.RequestTimeoutSeconds} s (the server is overloaded); retry later"));
        }
        catch (OperationCanceledException)
        {
            return (Outcome.Stopping, Problems.Of(StatusCodes.Status503ServiceUnavailable, "stopping", "Server stopping", "the server stopped before this image was inspected"));
        }
        catch (Exception e)
        {
            // The queue logged the failure with its stack trace; the client gets its type only.
            return (Outcome.Error, Problems.Of(StatusCodes.Status500InternalServerError, "inference_failed", "Inference failed",
                $"the detector failed on this image ({e.GetType().Name}); see the server log"));
        }
        var response = ResultRendering.Render(served, image, result, parts);
        return (Outcome.Ok, Results.Json(response with { ElapsedMs = watch.Elapsed.TotalMilliseconds }));
    }
}
