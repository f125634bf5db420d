namespace AnomalyClip.Clip.Preprocessing;

/// <summary>Limits applied when decoding untrusted image files (decompression-bomb defence).</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>
    /// Pillow's <c>Image.MAX_IMAGE_PIXELS</c> (1024·1024·1024 / 4 / 3 = 89,478,485 pixels, about 0.25 GiB of RGB).
    /// </summary>
    public const long PillowMaxImagePixels = 1024L * 1024 * 1024 / 4 / 3;

    /// <summary>
    /// Largest width·height accepted, checked from the header before any pixel is decoded. Default
    /// <see cref="PillowMaxImagePixels"/>; Pillow only warns up to twice this, this decoder refuses at once.
    /// </summary>
    public long MaxPixels { get; init; } = PillowMaxImagePixels;

    /// <summary>
    /// Largest single buffer the decoder may allocate, in megabytes (ImageSharp's
    /// <c>MemoryAllocatorOptions.AllocationLimitMegabytes</c>); stops headers that lie about the size. The default
    /// 1024 MB fits a <see cref="PillowMaxImagePixels"/> image at 16 bits per channel with alpha.
    /// </summary>
    public int AllocationLimitMegabytes { get; init; } = 1024;

    /// <summary>
    /// Largest working memory a decode may take, in megabytes, estimated from the header (pixels × bytes per pixel of
    /// the decoder's buffers and the copies made from them) before anything is decoded. The default 1024 MB admits an
    /// 8-bit image of <see cref="PillowMaxImagePixels"/> and a 16-bit or TIFF image of about 50 megapixels.
    /// </summary>
    public int MaxDecodedMegabytes { get; init; } = 1024;
}
