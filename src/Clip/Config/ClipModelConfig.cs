namespace AnomalyClip.Clip.Config;

/// <summary>A whole CLIP model: both towers, the joint embedding size, activation and preprocessing.</summary>
/// <param name="Name">Architecture name, e.g. "ViT-L-14-336".</param>
/// <param name="EmbedDim">Joint image-text embedding size E.</param>
/// <param name="Vision">Vision tower.</param>
/// <param name="Text">Text tower.</param>
/// <param name="Activation">MLP activation of both towers.</param>
/// <param name="Preprocess">Image preprocessing.</param>
public sealed record ClipModelConfig(string Name, int EmbedDim, VisionConfig Vision, TextConfig Text, Activation Activation, PreprocessConfig Preprocess)
{
    /// <summary>Returns a copy with a different activation (APRIL-GAN's adapters were trained with exact GELU).</summary>
    public ClipModelConfig WithActivation(Activation activation) => this with { Activation = activation };

    /// <summary>
    /// What makes this architecture impossible (a zero patch, heads that do not divide the width, absurd sizes), or
    /// null when it can be built; checked before any tensor is allocated from it.
    /// </summary>
    public string? Problem()
    {
        static string? Outside(string what, double value, double min, double max) =>
            value >= min && value <= max ? null : $"{what} = {value} is outside {min}..{max}";
        var v = Vision;
        var t = Text;
        return Outside("embed_dim", EmbedDim, 1, 16384)
            ?? Outside("vision image_size", v.ImageSize, 1, 8192)
            ?? Outside("vision patch_size", v.PatchSize, 1, v.ImageSize)
            ?? Outside("vision width", v.Width, 1, 16384)
            ?? Outside("vision layers", v.Layers, 1, 256)
            ?? Outside("vision head_width", v.HeadWidth, 1, v.Width)
            ?? (v.Width % Math.Max(1, v.HeadWidth) != 0 ? $"vision head_width {v.HeadWidth} does not divide width {v.Width}" : null)
            ?? Outside("vision mlp_ratio", v.MlpRatio, 0.01, 16)
            ?? Outside("text context_length", t.ContextLength, 1, 4096)
            ?? Outside("text vocab_size", t.VocabSize, 1, 10_000_000)
            ?? Outside("text width", t.Width, 1, 16384)
            ?? Outside("text heads", t.Heads, 1, t.Width)
            ?? (t.Width % Math.Max(1, t.Heads) != 0 ? $"text heads {t.Heads} do not divide width {t.Width}" : null)
            ?? Outside("text layers", t.Layers, 1, 256)
            ?? Outside("text mlp_ratio", t.MlpRatio, 0.01, 16);
    }
}
