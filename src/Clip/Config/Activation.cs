namespace AnomalyClip.Clip.Config;

/// <summary>The MLP activation of both CLIP towers.</summary>
public enum Activation
{
    /// <summary>Exact GELU, 0.5·x·(1 + erf(x/√2)): OpenCLIP's default, and what APRIL-GAN ran OpenAI weights with.</summary>
    Gelu,

    /// <summary>QuickGELU, x·σ(1.702·x): what OpenAI's CLIP weights were trained with.</summary>
    QuickGelu,
}
