namespace AnomalyClip.Clip.Preprocessing;

/// <summary>Pillow's resampling filters that the preprocessing reproduces bit for bit (8-bit images).</summary>
public enum ResampleFilter
{
    /// <summary>Pillow NEAREST: picks the source pixel under each output pixel centre.</summary>
    Nearest,

    /// <summary>Pillow BILINEAR: triangle filter, antialiased (support widened by the ratio when downscaling).</summary>
    Bilinear,

    /// <summary>Pillow BICUBIC: Keys cubic with a = −0.5, antialiased (support widened by the ratio when downscaling).</summary>
    Bicubic,
}
