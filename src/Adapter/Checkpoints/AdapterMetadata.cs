using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnomalyClip.Adapter.Checkpoints;

/// <summary>What an adapter was built for and how it was trained; stored as JSON inside its checkpoint.</summary>
/// <param name="Backbone">CLIP architecture the tokens come from, e.g. "ViT-L-14-336".</param>
/// <param name="Taps">1-based ViT blocks whose tokens the layers project, in layer order (paper: 6, 12, 18, 24).</param>
/// <param name="ImageSize">Input side in pixels the adapter was trained at (paper: 518).</param>
/// <param name="Activation">CLIP activation the tokens were computed with: "gelu" (APRIL-GAN) or "quickgelu".</param>
/// <param name="InputWidth">ViT width W.</param>
/// <param name="EmbedDim">Joint embedding size E.</param>
/// <param name="Training">Free-form facts about training (dataset, epochs, lr, seed, source file, ...).</param>
public sealed record AdapterMetadata(
    string Backbone, IReadOnlyList<int> Taps, int ImageSize, string Activation, int InputWidth, int EmbedDim,
    IReadOnlyDictionary<string, string>? Training = null)
{
    /// <summary>Key of the metadata JSON in the safetensors header.</summary>
    public const string HeaderKey = "anomalyclip.adapter";

    /// <summary>The paper's adapter: ViT-L-14-336 at 518 px, blocks 6/12/18/24, exact GELU, 1024 → 768.</summary>
    public static AdapterMetadata Paper { get; } = new("ViT-L-14-336", [6, 12, 18, 24], 518, "gelu", 1024, 768);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Malformed JSON.</exception>
    public static AdapterMetadata FromJson(string json) =>
        JsonSerializer.Deserialize<AdapterMetadata>(json, Json) ?? throw new JsonException("empty adapter metadata");
}
