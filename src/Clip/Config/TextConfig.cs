namespace AnomalyClip.Clip.Config;

/// <summary>Shape of a CLIP text transformer (OpenCLIP <c>text_cfg</c>).</summary>
/// <param name="ContextLength">Tokens per text (77).</param>
/// <param name="VocabSize">Token vocabulary size (49408).</param>
/// <param name="Width">Residual-stream width.</param>
/// <param name="Heads">Number of attention heads.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="MlpRatio">MLP hidden size as a multiple of <paramref name="Width"/>.</param>
public sealed record TextConfig(int ContextLength, int VocabSize, int Width, int Heads, int Layers, double MlpRatio = 4.0)
{
    /// <summary>MLP hidden size.</summary>
    public int MlpWidth => (int)(Width * MlpRatio);
}
