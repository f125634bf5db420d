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
}
