using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using AnomalyClip.Server.Observability;

namespace AnomalyClip.Server.Api;

/// <summary>
/// Reads the image of an inspection request: the raw body with an image media type, or the multipart field
/// <c>image</c>; at most the configured number of bytes (413 beyond, without reading further).
/// </summary>
internal static class RequestBody
{
    /// <summary>The media types the decoder reads (and octet-stream, whose bytes it identifies itself).</summary>
    public static readonly IReadOnlyList<string> ImageTypes = ["image/png", "image/jpeg", "image/bmp", "image/tiff", "application/octet-stream"];

    /// <summary>The multipart field that holds the image.</summary>
    public const string FieldName = "image";

    /// <summary>The image bytes, or the problem that stopped reading them.</summary>
    public readonly record struct Outcome(byte[]? Bytes, IResult? Problem, string? MetricOutcome);

    public static async Task<Outcome> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancel)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || type.MediaType.Value is not string mediaType)
            return Unsupported(request.ContentType is null ? "no Content-Type" : $"Content-Type '{request.ContentType}' is not a media type");
        if (request.ContentLength > maxBytes) return TooLarge(maxBytes, $"the request body is {request.ContentLength} bytes");
        var body = await ReadLimitedAsync(request.Body, maxBytes, cancel).ConfigureAwait(false);
        if (body is null) return TooLarge(maxBytes, "the request body is larger");

        if (mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await FromMultipartAsync(type, body, maxBytes, cancel).ConfigureAwait(false);
        return IsImageType(mediaType) ? new Outcome(body, null, null) : Unsupported($"Content-Type '{mediaType}'");
    }

    private static async Task<Outcome> FromMultipartAsync(MediaTypeHeaderValue type, byte[] body, long maxBytes, CancellationToken cancel)
    {
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            return new Outcome(null, Problems.BadRequest("bad_multipart", "Malformed multipart body", "multipart/form-data without a boundary"), ServerMetrics.Outcome.BadRequest);
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancel).ConfigureAwait(false); section is not null;
                 section = await reader.ReadNextSectionAsync(cancel).ConfigureAwait(false))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, FieldName, StringComparison.Ordinal)) continue;
                string? partType = null;
                if (section.ContentType is not null)
                    partType = MediaTypeHeaderValue.TryParse(section.ContentType, out var parsed) ? parsed.MediaType.Value ?? section.ContentType : section.ContentType;
                if (partType is not null && !IsImageType(partType)) return Unsupported($"multipart field '{FieldName}' has Content-Type '{partType}'");
                var bytes = await ReadLimitedAsync(section.Body, maxBytes, cancel).ConfigureAwait(false);
                return new Outcome(bytes, null, null);
            }
        }
        catch (IOException e)
        {
            return new Outcome(null, Problems.BadRequest("bad_multipart", "Malformed multipart body", e.Message), ServerMetrics.Outcome.BadRequest);
        }
        return new Outcome(null, Problems.BadRequest("missing_image", "No image", $"the multipart body has no field '{FieldName}'"), ServerMetrics.Outcome.BadRequest);
    }

    private static bool IsImageType(string mediaType) => ImageTypes.Contains(mediaType.ToLowerInvariant())
        || mediaType.Equals("image/jpg", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("image/x-ms-bmp", StringComparison.OrdinalIgnoreCase);

    // Null when the stream holds more than maxBytes; stops reading there.
    private static async Task<byte[]?> ReadLimitedAsync(Stream stream, long maxBytes, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static Outcome Unsupported(string what) => new(null, Problems.Of(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
        "Unsupported media type", $"{what}: send the image as the body with Content-Type image/png, image/jpeg, image/bmp or image/tiff, " +
        $"or as multipart/form-data field '{FieldName}'"), ServerMetrics.Outcome.UnsupportedMediaType);

    private static Outcome TooLarge(long maxBytes, string what) => new(null, Problems.Of(StatusCodes.Status413PayloadTooLarge, "request_too_large",
        "Request too large", $"{what}; the limit is {maxBytes} bytes"), ServerMetrics.Outcome.TooLarge);
}
