namespace AnomalyClip.Clip.Hub;

/// <summary>
/// The OpenCLIP name/tag pairs this library knows, mapped to the Hugging Face repos that OpenCLIP itself downloads
/// them from (open_clip v3.3.0 <c>pretrained.py</c>; see spec/openclip.md §8). Names and tags match case-insensitively.
/// </summary>
public static class PretrainedModels
{
    /// <summary>The tag used when a request names only the architecture.</summary>
    public const string DefaultTag = "openai";

    /// <summary>Every known name/tag pair. The <c>-quickgelu</c> twins carry the OpenAI tag only.</summary>
    public static IReadOnlyList<PretrainedModel> All { get; } =
    [
        new("ViT-B-32", "openai", "timm/vit_base_patch32_clip_224.openai"),
        new("ViT-B-32", "laion2b_s34b_b79k", "laion/CLIP-ViT-B-32-laion2B-s34B-b79K"),
        new("ViT-B-32", "laion2b_e16", "timm/vit_base_patch32_clip_224.laion2b_e16"),
        new("ViT-B-16", "openai", "timm/vit_base_patch16_clip_224.openai"),
        new("ViT-B-16", "laion2b_s34b_b88k", "laion/CLIP-ViT-B-16-laion2B-s34B-b88K"),
        new("ViT-B-16", "laion400m_e31", "timm/vit_base_patch16_clip_224.laion400m_e31"),
        new("ViT-B-16", "laion400m_e32", "timm/vit_base_patch16_clip_224.laion400m_e32"),
        new("ViT-L-14", "openai", "timm/vit_large_patch14_clip_224.openai"),
        new("ViT-L-14", "laion2b_s32b_b82k", "laion/CLIP-ViT-L-14-laion2B-s32B-b82K"),
        new("ViT-L-14-336", "openai", "timm/vit_large_patch14_clip_336.openai"),
        new("ViT-B-32-quickgelu", "openai", "timm/vit_base_patch32_clip_224.openai"),
        new("ViT-B-16-quickgelu", "openai", "timm/vit_base_patch16_clip_224.openai"),
        new("ViT-L-14-quickgelu", "openai", "timm/vit_large_patch14_clip_224.openai"),
        new("ViT-L-14-336-quickgelu", "openai", "timm/vit_large_patch14_clip_336.openai"),
    ];

    // OpenAI's own spellings (clip.load names). They contain '/', so they are matched whole before any name/tag split.
    private static readonly Dictionary<string, string> OpenAiAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ViT-B/32"] = "ViT-B-32",
        ["ViT-B/16"] = "ViT-B-16",
        ["ViT-L/14"] = "ViT-L-14",
        ["ViT-L/14@336px"] = "ViT-L-14-336",
    };

    /// <summary>
    /// Looks up a name with an optional tag: <c>ViT-B-16</c> (the <see cref="DefaultTag"/>),
    /// <c>ViT-B-16/laion2b_s34b_b88k</c>, or an OpenAI name such as <c>ViT-L/14@336px</c>. Null when the name is not
    /// a known architecture; throws <see cref="ModelLoadException"/> when the name is known but the tag is not.
    /// </summary>
    public static PretrainedModel? Find(string nameAndTag)
    {
        ArgumentNullException.ThrowIfNull(nameAndTag);
        var text = nameAndTag.Trim();
        string name, tag;
        if (OpenAiAliases.TryGetValue(text, out var aliased)) (name, tag) = (aliased, DefaultTag);
        else
        {
            var slash = text.IndexOf('/');
            (name, tag) = slash < 0 ? (text, DefaultTag) : (text[..slash], text[(slash + 1)..]);
        }
        if (!IsKnownName(name)) return null;
        return All.FirstOrDefault(m => Same(m.Name, name) && Same(m.Tag, tag))
            ?? throw new ModelLoadException(nameAndTag,
                $"OpenCLIP model '{name}' has no known pretrained tag '{tag}'; known tags: " +
                string.Join(", ", All.Where(m => Same(m.Name, name)).Select(m => m.Tag)) +
                ". Other weights can be named by their Hugging Face repo id (org/name) or a local path.");
    }

    /// <summary>True when <paramref name="name"/> is a known architecture name (without tag).</summary>
    public static bool IsKnownName(string name) => All.Any(m => Same(m.Name, name));

    /// <summary>The distinct known architecture names, for messages and help text.</summary>
    public static IEnumerable<string> Names => All.Select(m => m.Name).Distinct();

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
