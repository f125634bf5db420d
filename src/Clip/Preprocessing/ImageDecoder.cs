using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Decodes PNG, JPEG, BMP and TIFF files to 8-bit <see cref="DecodedImage"/>s in the mode Pillow would open them in,
/// refusing oversized images from the header before any pixel is decoded.
/// </summary>
/// <remarks>
/// <para>PNG follows Pillow exactly: grey (1-bit → <see cref="ImageMode.Bilevel"/>, 2/4/8-bit →
/// <see cref="ImageMode.Grey"/>), grey+alpha, RGB, RGBA and palette; a tRNS chunk on a grey or RGB image does not
/// add alpha (Pillow keeps it as side information that <c>convert("RGB")</c> ignores). 16-bit colour or alpha
/// channels keep their high byte, as Pillow's <c>;16B</c> unpackers do. 16-bit grey opens in Pillow as a 32-bit
/// integer image whose conversion to L or RGB clips at 255, so values are clipped to 0..255 here too (unlike Pillow,
/// after rather than before any resize).</para>
/// <para>JPEG is grey or RGB (CMYK/YCCK converted by ImageSharp); its pixels come from ImageSharp's decoder, which
/// differs from libjpeg by a few grey levels. BMP is RGB, or grey/palette for ≤ 8 bits per pixel. TIFF follows the
/// decoded pixel type (grey, grey+alpha, RGB, RGBA) and uses its first frame only.</para>
/// </remarks>
public sealed class ImageDecoder
{
    private readonly ImageDecodeOptions _options;
    private readonly Configuration _configuration;

    /// <summary>Creates a decoder with the given limits (defaults: <see cref="ImageDecodeOptions"/>).</summary>
    public ImageDecoder(ImageDecodeOptions? options = null)
    {
        _options = options ?? new ImageDecodeOptions();
        if (_options.MaxPixels < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxPixels must be positive");
        if (_options.MaxDecodedMegabytes < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxDecodedMegabytes must be positive");
        if (_options.AllocationLimitMegabytes < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "AllocationLimitMegabytes must be positive");
        _configuration = Configuration.Default.Clone();
        _configuration.MemoryAllocator = MemoryAllocator.Create(
            new MemoryAllocatorOptions { AllocationLimitMegabytes = _options.AllocationLimitMegabytes });
    }

    /// <summary>Decodes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="ImageLoadException">
    /// The file is missing or unreadable, not PNG/JPEG/BMP/TIFF, truncated or corrupt, or larger than the limits.
    /// </exception>
    public DecodedImage Decode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new ImageLoadException(path, "file not found");
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, "cannot open the file: " + e.Message, e);
        }
        using (stream) return DecodeSeekable(stream, path);
    }

    /// <summary>
    /// Decodes an image from <paramref name="stream"/>, read from its current position; a non-seekable stream is
    /// buffered in memory first. <paramref name="sourceName"/> names the source in error messages.
    /// </summary>
    /// <exception cref="ImageLoadException">The data is not PNG/JPEG/BMP/TIFF, truncated, corrupt or too large.</exception>
    public DecodedImage Decode(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (stream.CanSeek) return DecodeSeekable(stream, sourceName);
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (IOException e)
        {
            throw new ImageLoadException(sourceName, "cannot read the stream: " + e.Message, e);
        }
        buffer.Position = 0;
        return DecodeSeekable(buffer, sourceName);
    }

    private DecodedImage DecodeSeekable(Stream stream, string name)
    {
        long start = stream.Position;
        try
        {
            IImageFormat? format = Image.DetectFormat(_configuration, stream);
            stream.Position = start;
            IImageDecoder decoder = format switch
            {
                null => throw new ImageLoadException(name, "not a recognised image (expected PNG, JPEG, BMP or TIFF)"),
                // Metadata (text, ICC, EXIF) is never used: skipping it also skips compressed-text bombs.
                PngFormat => new PngDecoder { IgnoreMetadata = true },
                JpegFormat => new JpegDecoder { IgnoreMetadata = true },
                BmpFormat => new BmpDecoder(),
                TiffFormat => new TiffDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true },
                _ => throw new ImageLoadException(name,
                    $"{format.Name} images are not supported (expected PNG, JPEG, BMP or TIFF)"),
            };

            IImageInfo? info = ((IImageInfoDetector)decoder).Identify(_configuration, stream, CancellationToken.None);
            stream.Position = start;
            if (info is null) throw new ImageLoadException(name, $"unreadable {format.Name} header");
            long pixels = (long)info.Width * info.Height;
            if (info.Width < 1 || info.Height < 1)
                throw new ImageLoadException(name, $"invalid image size {info.Width}x{info.Height}");
            if (pixels > _options.MaxPixels)
                throw new ImageLoadException(name,
                    $"image is {info.Width}x{info.Height} = {pixels} pixels, more than the limit of {_options.MaxPixels} " +
                    "(possible decompression bomb; raise ImageDecodeOptions.MaxPixels if the file is trusted)");
            long working = pixels * WorkingBytesPerPixel(format, info);
            if (working > (long)_options.MaxDecodedMegabytes << 20)
                throw new ImageLoadException(name,
                    $"decoding this {info.Width}x{info.Height} image ({info.PixelType?.BitsPerPixel ?? 0} bits per pixel) needs about {working >> 20} MB, " +
                    $"more than the limit of {_options.MaxDecodedMegabytes} MB (raise ImageDecodeOptions.MaxDecodedMegabytes if the file is trusted)");
            if (ImageIntegrity.Problem(stream, format) is string problem) throw new ImageLoadException(name, problem);

            return format switch
            {
                PngFormat => DecodePng(stream, decoder, info.Metadata.GetPngMetadata()),
                BmpFormat => DecodeBmp(stream, decoder, info.Metadata.GetBmpMetadata()),
                JpegFormat => info.Metadata.GetJpegMetadata().ColorType == JpegColorType.Luminance
                    ? Load<L8>(stream, decoder, ImageMode.Grey)
                    : Load<Rgb24>(stream, decoder, ImageMode.Rgb),
                _ => DecodeTiff(stream, decoder),
            };
        }
        catch (Exception e) when (e is not ImageLoadException)
        {
            // Whatever a decoder throws on untrusted bytes (format errors, out-of-range sizes, failed allocations) is
            // this file's fault.
            throw new ImageLoadException(name, "corrupt, truncated or unsupported image data: " + e.Message, e);
        }
    }

    // The decoders' own buffers plus the copies made here: 16-bit PNG and every TIFF go through Rgba64 (8 bytes) and
    // a managed copy of it; the rest decode to at most 4 bytes per pixel plus the output.
    private static long WorkingBytesPerPixel(IImageFormat format, IImageInfo info) =>
        format is TiffFormat || (format is PngFormat && info.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16) ? 20 : 8;

    private DecodedImage DecodePng(Stream stream, IImageDecoder decoder, PngMetadata png)
    {
        bool sixteen = png.BitDepth == PngBitDepth.Bit16;
        return png.ColorType switch
        {
            PngColorType.Grayscale when sixteen => ClippedGrey16(stream, decoder),
            PngColorType.Grayscale => Load<L8>(stream, decoder,
                png.BitDepth == PngBitDepth.Bit1 ? ImageMode.Bilevel : ImageMode.Grey),
            PngColorType.GrayscaleWithAlpha when sixteen => HighBytes(stream, decoder, ImageMode.GreyAlpha),
            PngColorType.GrayscaleWithAlpha => Load<La16>(stream, decoder, ImageMode.GreyAlpha),
            PngColorType.Rgb when sixteen => HighBytes(stream, decoder, ImageMode.Rgb),
            PngColorType.Rgb => Load<Rgb24>(stream, decoder, ImageMode.Rgb),
            PngColorType.RgbWithAlpha when sixteen => HighBytes(stream, decoder, ImageMode.Rgba),
            PngColorType.RgbWithAlpha => Load<Rgba32>(stream, decoder, ImageMode.Rgba),
            PngColorType.Palette => Load<Rgb24>(stream, decoder, ImageMode.Palette),
            _ => throw new InvalidImageContentException($"unknown PNG colour type {png.ColorType}"),
        };
    }

    private DecodedImage DecodeBmp(Stream stream, IImageDecoder decoder, BmpMetadata bmp)
    {
        DecodedImage rgb = Load<Rgb24>(stream, decoder, ImageMode.Rgb);
        if ((int)bmp.BitsPerPixel > 8) return rgb;
        // Pillow opens a ≤ 8-bit BMP whose palette is all grey as "L" ("1" for two colours), otherwise as "P";
        // the palette itself is not exposed, so the decoded colours stand in for it.
        ReadOnlySpan<byte> p = rgb.Pixels;
        for (int i = 0; i < p.Length; i += 3)
            if (p[i] != p[i + 1] || p[i] != p[i + 2])
                return new DecodedImage(rgb.Width, rgb.Height, ImageMode.Palette, rgb.Buffer);
        var grey = new byte[rgb.Width * rgb.Height];
        for (int i = 0; i < grey.Length; i++) grey[i] = p[i * 3];
        var mode = bmp.BitsPerPixel == BmpBitsPerPixel.Pixel1 ? ImageMode.Bilevel : ImageMode.Grey;
        return new DecodedImage(rgb.Width, rgb.Height, mode, grey);
    }

    private DecodedImage DecodeTiff(Stream stream, IImageDecoder decoder)
    {
        // Rgba64 holds every TIFF sample depth; 8-bit samples come back as v·257, so the high byte is exact.
        using var image = Image.Load<Rgba64>(_configuration, stream, decoder);
        TiffFrameMetadata tiff = image.Frames.RootFrame.Metadata.GetTiffMetadata();
        int channels = tiff.BitsPerSample?.Channels ?? 3;
        int bits = tiff.BitsPerSample?.Channel0 ?? 8;
        bool grey = tiff.PhotometricInterpretation is TiffPhotometricInterpretation.BlackIsZero
            or TiffPhotometricInterpretation.WhiteIsZero;
        if (grey && channels == 1 && bits == 16)
        {
            // Pillow opens this as "I;16", whose conversion to L or RGB clips at 255.
            var values = new Rgba64[image.Width * image.Height];
            image.CopyPixelDataTo(values);
            var clipped = new byte[values.Length];
            for (int i = 0; i < values.Length; i++) clipped[i] = (byte)Math.Min(values[i].R, (ushort)255);
            return new DecodedImage(image.Width, image.Height, ImageMode.Grey, clipped);
        }
        ImageMode mode = tiff.PhotometricInterpretation switch
        {
            _ when grey && channels == 1 => bits == 1 ? ImageMode.Bilevel : ImageMode.Grey,
            _ when grey => ImageMode.GreyAlpha,
            TiffPhotometricInterpretation.PaletteColor => ImageMode.Palette,
            _ => channels >= 4 ? ImageMode.Rgba : ImageMode.Rgb,
        };
        return HighBytes(image, mode);
    }

    private DecodedImage Load<TPixel>(Stream stream, IImageDecoder decoder, ImageMode mode)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var image = Image.Load<TPixel>(_configuration, stream, decoder);
        return Bytes(image, mode);
    }

    private static DecodedImage Bytes<TPixel>(Image<TPixel> image, ImageMode mode)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var pixels = new byte[(long)image.Width * image.Height * DecodedImage.ChannelsOf(mode)];
        image.CopyPixelDataTo(pixels);
        return new DecodedImage(image.Width, image.Height, mode, pixels);
    }

    private DecodedImage ClippedGrey16(Stream stream, IImageDecoder decoder)
    {
        using var image = Image.Load<L16>(_configuration, stream, decoder);
        return ClipGrey16(image);
    }

    private static DecodedImage ClipGrey16(Image<L16> image)
    {
        var values = new ushort[image.Width * image.Height];
        image.CopyPixelDataTo(MemoryMarshal.Cast<ushort, L16>(values.AsSpan()));
        var pixels = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) pixels[i] = (byte)Math.Min(values[i], (ushort)255);
        return new DecodedImage(image.Width, image.Height, ImageMode.Grey, pixels);
    }

    private DecodedImage HighBytes(Stream stream, IImageDecoder decoder, ImageMode mode)
    {
        using var image = Image.Load<Rgba64>(_configuration, stream, decoder);
        return HighBytes(image, mode);
    }

    /// <summary>Keeps the high byte of each 16-bit channel that <paramref name="mode"/> uses.</summary>
    private static DecodedImage HighBytes(Image<Rgba64> image, ImageMode mode)
    {
        var values = new Rgba64[image.Width * image.Height];
        image.CopyPixelDataTo(values);
        int channels = DecodedImage.ChannelsOf(mode);
        var pixels = new byte[values.Length * channels];
        for (int i = 0; i < values.Length; i++)
        {
            Rgba64 v = values[i];
            int o = i * channels;
            pixels[o] = (byte)(v.R >> 8);
            if (channels == 1) continue;
            if (mode == ImageMode.GreyAlpha)
            {
                pixels[o + 1] = (byte)(v.A >> 8);
                continue;
            }
            pixels[o + 1] = (byte)(v.G >> 8);
            pixels[o + 2] = (byte)(v.B >> 8);
            if (channels == 4) pixels[o + 3] = (byte)(v.A >> 8);
        }
        return new DecodedImage(image.Width, image.Height, mode, pixels);
    }
}
