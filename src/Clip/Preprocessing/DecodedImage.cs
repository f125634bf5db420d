namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// An 8-bit image in memory: row-major, interleaved channels (see <see cref="ImageMode"/> for the channel layout),
/// at the size it was decoded. Callers keep it to know the original width and height (for example to resize anomaly
/// maps back).
/// </summary>
public sealed class DecodedImage
{
    private readonly byte[] _pixels;

    /// <summary>Wraps <paramref name="pixels"/> (not copied) as a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    /// <param name="width">Width in pixels (≥ 1).</param>
    /// <param name="height">Height in pixels (≥ 1).</param>
    /// <param name="mode">What the bytes mean; fixes the channel count.</param>
    /// <param name="pixels">width·height·channels bytes, row-major, channels interleaved.</param>
    /// <exception cref="ArgumentException">The size is not positive or the buffer length does not match it.</exception>
    public DecodedImage(int width, int height, ImageMode mode, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width < 1 || height < 1)
            throw new ArgumentException($"image size must be positive, got {width}x{height}", nameof(width));
        int channels = ChannelsOf(mode);
        if (pixels.LongLength != (long)width * height * channels)
            throw new ArgumentException(
                $"{mode} image of {width}x{height} needs {(long)width * height * channels} bytes, got {pixels.LongLength}",
                nameof(pixels));
        Width = width;
        Height = height;
        Mode = mode;
        _pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>What the source held, which decides resampling and colour conversion.</summary>
    public ImageMode Mode { get; }

    /// <summary>Bytes per pixel: 1 (bilevel, grey), 2 (grey+alpha), 3 (RGB, palette) or 4 (RGBA).</summary>
    public int Channels => ChannelsOf(Mode);

    /// <summary>The pixel bytes, row-major, channels interleaved, 0..255.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels;

    /// <summary>Grey levels, one byte per pixel, as Pillow's <c>convert("L")</c> (ITU-R 601-2 luma for colour images).</summary>
    public byte[] ToGrey() => PillowModeConversion.ToGrey(this);

    internal byte[] Buffer => _pixels;

    internal static int ChannelsOf(ImageMode mode) => mode switch
    {
        ImageMode.Bilevel or ImageMode.Grey => 1,
        ImageMode.GreyAlpha => 2,
        ImageMode.Rgb or ImageMode.Palette => 3,
        ImageMode.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown image mode"),
    };
}
