namespace AnomalyClip.Clip.Config;

/// <summary>Shape of a CLIP vision transformer (OpenCLIP <c>vision_cfg</c>).</summary>
/// <param name="ImageSize">Input side in pixels the weights were trained at (the model may run at another multiple of the patch).</param>
/// <param name="PatchSize">Side of a square patch in pixels (conv kernel and stride).</param>
/// <param name="Width">Residual-stream width D.</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="HeadWidth">Width of one attention head (64 for every OpenAI/LAION ViT).</param>
/// <param name="MlpRatio">MLP hidden size as a multiple of <paramref name="Width"/>.</param>
public sealed record VisionConfig(int ImageSize, int PatchSize, int Width, int Layers, int HeadWidth = 64, double MlpRatio = 4.0)
{
    /// <summary>Number of attention heads, Width / HeadWidth.</summary>
    public int Heads => Width / HeadWidth;

    /// <summary>MLP hidden size.</summary>
    public int MlpWidth => (int)(Width * MlpRatio);

    /// <summary>Patch grid side at the trained image size.</summary>
    public int Grid => ImageSize / PatchSize;
}
