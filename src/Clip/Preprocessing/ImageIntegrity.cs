using System.Buffers.Binary;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;

namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Structural checks of an image file before it is decoded, because the decoders fill a truncated file's missing rows
/// with zeros instead of failing: a PNG must reach its IEND chunk with every chunk inside the file, a JPEG must end with
/// its EOI marker, an uncompressed BMP must hold all its rows, a TIFF's strips or tiles must lie inside the file.
/// Only headers and chunk frames are read, never pixel data.
/// </summary>
internal static class ImageIntegrity
{
    /// <summary>Why the image is truncated or malformed, or null when its structure is whole.</summary>
    public static string? Problem(Stream stream, IImageFormat format)
    {
        long start = stream.Position;
        try
        {
            return format switch
            {
                PngFormat => Png(stream),
                JpegFormat => Jpeg(stream),
                BmpFormat => Bmp(stream),
                TiffFormat => Tiff(stream),
                _ => null,
            };
        }
        catch (EndOfStreamException)
        {
            return "the file ends inside its header";
        }
        finally
        {
            stream.Position = start;
        }
    }

    private static string? Png(Stream s)
    {
        long origin = s.Position;
        long length = s.Length - origin;
        long at = 8;
        Span<byte> frame = stackalloc byte[8];
        while (true)
        {
            if (at + 12 > length) return "truncated PNG: the file ends before its IEND chunk";
            s.Position = origin + at;
            s.ReadExactly(frame);
            uint size = BinaryPrimitives.ReadUInt32BigEndian(frame);
            if (size > int.MaxValue) return $"corrupt PNG: chunk of {size} bytes at offset {at}";
            long end = at + 12 + size;
            if (end > length) return $"truncated PNG: chunk '{System.Text.Encoding.ASCII.GetString(frame[4..])}' at offset {at} runs past the end of the file";
            if (frame[4] == (byte)'I' && frame[5] == (byte)'E' && frame[6] == (byte)'N' && frame[7] == (byte)'D') return null;
            at = end;
        }
    }

    private static string? Jpeg(Stream s)
    {
        // Writers may pad after EOI; a few KB of tail is searched so a padded file still passes.
        long length = s.Length - s.Position;
        int tail = (int)Math.Min(length, 4096);
        var buffer = new byte[tail];
        s.Position = s.Length - tail;
        s.ReadExactly(buffer);
        for (int i = tail - 2; i >= 0; i--)
            if (buffer[i] == 0xFF && buffer[i + 1] == 0xD9) return null;
        return "truncated JPEG: no end-of-image marker";
    }

    private static string? Bmp(Stream s)
    {
        long length = s.Length - s.Position;
        Span<byte> h = stackalloc byte[34];
        s.ReadExactly(h);
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(h[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(h[14..]);
        if (headerSize < 40) return null; // OS/2 core headers: left to the decoder
        int width = BinaryPrimitives.ReadInt32LittleEndian(h[18..]);
        int height = Math.Abs(BinaryPrimitives.ReadInt32LittleEndian(h[22..]));
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(h[30..]);
        if (compression != 0 && compression != 3) return null; // RLE and embedded PNG/JPEG: sizes are not fixed
        long stride = ((long)width * bits + 31) / 32 * 4;
        long needed = pixelOffset + stride * height;
        return needed > length ? $"truncated BMP: {length} bytes, its {width}x{height} pixels need {needed}" : null;
    }

    private static string? Tiff(Stream s)
    {
        long length = s.Length - s.Position;
        long origin = s.Position;
        Span<byte> h = stackalloc byte[8];
        s.ReadExactly(h);
        bool little = h[0] == (byte)'I';
        ushort magic = Read16(h[2..], little);
        if (magic != 42) return null; // BigTIFF: left to the decoder
        long ifd = Read32(h[4..], little);
        if (ifd + 2 > length) return "truncated TIFF: its first directory lies past the end of the file";
        s.Position = origin + ifd;
        Span<byte> count = stackalloc byte[2];
        s.ReadExactly(count);
        int entries = Read16(count, little);
        if (ifd + 2 + 12L * entries > length) return "truncated TIFF: the file ends inside its first directory";
        var table = new byte[12 * entries];
        s.ReadExactly(table);
        long[]? offsets = null, counts = null;
        for (int e = 0; e < entries; e++)
        {
            var entry = table.AsSpan(12 * e, 12);
            ushort tag = Read16(entry, little);
            if (tag is 273 or 324) offsets = Values(s, origin, entry, little, length);
            else if (tag is 279 or 325) counts = Values(s, origin, entry, little, length);
        }
        if (offsets is null || counts is null) return null;
        for (int i = 0; i < Math.Min(offsets.Length, counts.Length); i++)
            if (offsets[i] + counts[i] > length) return $"truncated TIFF: strip {i} ends at byte {offsets[i] + counts[i]} of a {length}-byte file";
        return null;
    }

    // The SHORT or LONG values of a directory entry, inline or at their offset.
    private static long[] Values(Stream s, long origin, ReadOnlySpan<byte> entry, bool little, long length)
    {
        ushort type = Read16(entry[2..], little);
        long n = Read32(entry[4..], little);
        int size = type == 3 ? 2 : 4;
        if (n <= 0 || n > 1 << 24) return [];
        byte[] data;
        if (n * size <= 4) data = entry[8..].ToArray();
        else
        {
            long at = Read32(entry[8..], little);
            if (at + n * size > length) return [long.MaxValue / 2];
            data = new byte[n * size];
            s.Position = origin + at;
            s.ReadExactly(data);
        }
        var values = new long[n];
        for (int i = 0; i < n; i++) values[i] = size == 2 ? Read16(data.AsSpan(2 * i), little) : Read32(data.AsSpan(4 * i), little);
        return values;
    }

    private static ushort Read16(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);

    private static long Read32(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}
