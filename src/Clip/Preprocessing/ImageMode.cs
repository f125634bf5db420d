namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// What the source image held, in Pillow's terms. It decides how the image is resampled (Pillow forces NEAREST for
/// bilevel and palette images and resamples images with alpha premultiplied) and how it becomes RGB or grey.
/// </summary>
public enum ImageMode
{
    /// <summary>Pillow "1": 1-bit black and white, stored as one byte per pixel (0 or 255); resized with NEAREST.</summary>
    Bilevel,

    /// <summary>Pillow "L": 8-bit grey, one byte per pixel.</summary>
    Grey,

    /// <summary>Pillow "LA": grey plus unassociated alpha, two bytes per pixel (L, A).</summary>
    GreyAlpha,

    /// <summary>Pillow "RGB": three bytes per pixel.</summary>
    Rgb,

    /// <summary>Pillow "RGBA": RGB plus unassociated alpha, four bytes per pixel.</summary>
    Rgba,

    /// <summary>
    /// Pillow "P": a palette image, stored already expanded to three bytes (R, G, B) per pixel; the palette's
    /// transparency is ignored, as Pillow's <c>convert("RGB")</c> does. Resized with NEAREST.
    /// </summary>
    Palette,
}
