using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AnomalyClip.Server.Api;

/// <summary>
/// The OpenAPI description of <c>/v1/inspect</c>'s body. The handler reads the body itself (raw image or multipart),
/// so it is described here rather than through accepts-metadata, which would also make routing answer wrong media
/// types with a bare 415 before the handler could explain it.
/// </summary>
internal static class InspectRequestDocs
{
    public static Task Describe(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancel)
    {
        var content = new Dictionary<string, OpenApiMediaType>();
        foreach (var type in RequestBody.ImageTypes) content[type] = new OpenApiMediaType { Schema = Binary() };
        content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { RequestBody.FieldName },
                Properties = new Dictionary<string, IOpenApiSchema> { [RequestBody.FieldName] = Binary() },
            },
        };
        operation.RequestBody = new OpenApiRequestBody { Required = true, Description = "The image: PNG, JPEG, BMP or TIFF.", Content = content };
        return Task.CompletedTask;
    }

    private static OpenApiSchema Binary() => new() { Type = JsonSchemaType.String, Format = "binary" };
}
