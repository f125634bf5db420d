namespace AnomalyClip.Clip.Config;

/// <summary>
/// The built-in OpenCLIP ViT configurations (OpenCLIP <c>model_configs/*.json</c>) and their <c>-quickgelu</c> twins.
/// </summary>
public static class ClipModelConfigs
{
    private static readonly TextConfig TextB = new(77, 49408, 512, 8, 12);
    private static readonly TextConfig TextL = new(77, 49408, 768, 12, 12);

    private static readonly Dictionary<string, ClipModelConfig> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ViT-B-32"] = new("ViT-B-32", 512, new VisionConfig(224, 32, 768, 12), TextB, Activation.Gelu, PreprocessConfig.OpenAi),
        ["ViT-B-16"] = new("ViT-B-16", 512, new VisionConfig(224, 16, 768, 12), TextB, Activation.Gelu, PreprocessConfig.OpenAi),
        ["ViT-L-14"] = new("ViT-L-14", 768, new VisionConfig(224, 14, 1024, 24), TextL, Activation.Gelu, PreprocessConfig.OpenAi),
        ["ViT-L-14-336"] = new("ViT-L-14-336", 768, new VisionConfig(336, 14, 1024, 24), TextL, Activation.Gelu, PreprocessConfig.OpenAi),
    };

    /// <summary>Names of the built-in architectures, without the -quickgelu twins.</summary>
    public static IReadOnlyCollection<string> Names => Known.Keys;

    /// <summary>
    /// Returns the configuration named <paramref name="name"/>; a <c>-quickgelu</c> suffix selects QuickGELU.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a built-in architecture.</exception>
    public static ClipModelConfig Get(string name)
    {
        const string quick = "-quickgelu";
        bool isQuick = name.EndsWith(quick, StringComparison.OrdinalIgnoreCase);
        var baseName = isQuick ? name[..^quick.Length] : name;
        if (!Known.TryGetValue(baseName, out var cfg))
            throw new ArgumentException($"unknown CLIP architecture '{name}'; known: {string.Join(", ", Known.Keys)} (each also with -quickgelu)", nameof(name));
        return isQuick ? cfg with { Name = cfg.Name + quick, Activation = Activation.QuickGelu } : cfg;
    }

    /// <summary>True when <paramref name="name"/> names a built-in architecture (with or without -quickgelu).</summary>
    public static bool Contains(string name) =>
        Known.ContainsKey(name.EndsWith("-quickgelu", StringComparison.OrdinalIgnoreCase) ? name[..^"-quickgelu".Length] : name);
}
