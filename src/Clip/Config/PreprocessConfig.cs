namespace AnomalyClip.Clip.Config;

/// <summary>Image normalisation and resize policy of a model (OpenCLIP <c>preprocess_cfg</c>).</summary>
/// <param name="Mean">Per-channel RGB mean subtracted after scaling to [0,1].</param>
/// <param name="Std">Per-channel RGB standard deviation divided by.</param>
/// <param name="Interpolation">Resampling filter name: "bicubic" or "bilinear".</param>
/// <param name="ResizeMode">"shortest" (resize the short side, then centre-crop) or "squash" (resize to a square).</param>
public sealed record PreprocessConfig(float[] Mean, float[] Std, string Interpolation = "bicubic", string ResizeMode = "shortest")
{
    /// <summary>OpenAI's CLIP normalisation with bicubic shortest-side resize: the default for every model here.</summary>
    public static PreprocessConfig OpenAi { get; } = new(
        [0.48145466f, 0.4578275f, 0.40821073f], [0.26862954f, 0.26130258f, 0.27577711f]);

    /// <summary>Inception normalisation (mean = std = 0.5), used by ViT-L-14 laion2b_s32b_b82k.</summary>
    public static PreprocessConfig Inception { get; } = new([0.5f, 0.5f, 0.5f], [0.5f, 0.5f, 0.5f]);
}
