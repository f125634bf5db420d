using System.Text.Json;
using System.Text.Json.Serialization;
using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

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

    /// <summary>The CLIP activation the tokens were computed with, as the enum models use.</summary>
    /// <exception cref="JsonException">The stored name is neither gelu nor quickgelu.</exception>
    [JsonIgnore]
    public Activation ActivationKind => ParseActivation(Activation);

    /// <summary>
    /// How to load the CLIP model these layers were trained on: at <see cref="ImageSize"/> with <see cref="Activation"/>
    /// (paper: 518 px, exact GELU), e.g. <c>ClipModel.Load(meta.Backbone, device, meta.ToLoadOptions())</c>.
    /// </summary>
    public ClipLoadOptions ToLoadOptions(ScalarType? dtype = null) => new(ImageSize, ActivationKind, dtype);

    /// <summary>Parses an activation name: gelu, or quickgelu / quick_gelu.</summary>
    /// <exception cref="JsonException">Another name.</exception>
    public static Activation ParseActivation(string name) => name.Trim().ToLowerInvariant() switch
    {
        "gelu" => Clip.Config.Activation.Gelu,
        "quickgelu" or "quick_gelu" => Clip.Config.Activation.QuickGelu,
        _ => throw new JsonException($"unknown activation '{name}' (gelu, quickgelu)"),
    };

    /// <summary>Serialises to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Malformed JSON, a missing field, or a value no adapter can have.</exception>
    public static AdapterMetadata FromJson(string json)
    {
        var meta = JsonSerializer.Deserialize<AdapterMetadata>(json, Json) ?? throw new JsonException("empty adapter metadata");
        meta.Validate();
        return meta;
    }

    // Checked before any tensor is allocated from these numbers.
    private void Validate()
    {
        if (string.IsNullOrWhiteSpace(Backbone)) throw new JsonException("no backbone");
        if (Taps is null || Taps.Count == 0) throw new JsonException("no taps");
        if (Taps.Any(t => t < 1 || t > 1000)) throw new JsonException($"taps {string.Join(",", Taps)} are not 1-based block numbers");
        if (Taps.Distinct().Count() != Taps.Count) throw new JsonException($"taps {string.Join(",", Taps)} name a block twice");
        if (ImageSize < 1 || ImageSize > 8192) throw new JsonException($"image_size {ImageSize} is out of range (1..8192)");
        if (InputWidth < 1 || InputWidth > 65536) throw new JsonException($"input_width {InputWidth} is out of range (1..65536)");
        if (EmbedDim < 1 || EmbedDim > 65536) throw new JsonException($"embed_dim {EmbedDim} is out of range (1..65536)");
        if (Activation is null) throw new JsonException("no activation");
        _ = ActivationKind;
    }
}
