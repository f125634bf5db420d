using Microsoft.AspNetCore.Http;

namespace AnomalyClip.Server.Api;

/// <summary>
/// RFC 7807 problem responses (<c>application/problem+json</c>): a status, a short title, a detail naming what is
/// wrong, and a stable machine-readable <c>code</c>. Never an exception's stack trace.
/// </summary>
internal static class Problems
{
    public static IResult Of(int status, string code, string title, string detail, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (extra is not null) foreach (var (k, v) in extra) extensions[k] = v;
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    public static IResult BadRequest(string code, string title, string detail) => Of(StatusCodes.Status400BadRequest, code, title, detail);

    public static IResult NotReady(string state, string? failure) => Of(StatusCodes.Status503ServiceUnavailable, "not_ready",
        "Detectors not ready", failure is null ? $"the detectors are {state}; retry when /readyz answers 200" : $"loading the detectors failed: {failure}");
}
