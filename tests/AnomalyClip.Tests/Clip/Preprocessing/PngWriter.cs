using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AnomalyClip.Tests.Clip.Preprocessing;

/// <summary>
/// Writes minimal PNG files byte by byte, so the tests control colour type, bit depth, palette and tRNS exactly
/// (an encoder would choose its own).
/// </summary>
internal static class PngWriter
{
    /// <summary>PNG signature, IHDR, optional PLTE/tRNS, one IDAT of unfiltered rows, IEND.</summary>
    /// <param name="rows">Packed sample bytes of each row (16-bit samples big-endian), without the filter byte.</param>
    /// <param name="extra">More chunks (type, data) written before IDAT, e.g. metadata.</param>
    public static byte[] Build(int width, int height, int bitDepth, int colorType, IReadOnlyList<byte[]> rows,
        byte[]? plte = null, byte[]? trns = null, IReadOnlyList<(string Type, byte[] Data)>? extra = null)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        WriteChunk(ms, "IHDR", ihdr);
        if (plte is not null) WriteChunk(ms, "PLTE", plte);
        if (trns is not null) WriteChunk(ms, "tRNS", trns);
        foreach (var (type, data) in extra ?? []) WriteChunk(ms, type, data);
        WriteChunk(ms, "IDAT", Deflate(rows));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A header claiming <paramref name="width"/>×<paramref name="height"/> 8-bit RGB with almost no data.</summary>
    public static byte[] HeaderOnly(int width, int height) =>
        Build(width, height, 8, 2, [new byte[3]]);

    /// <summary>zlib-compressed <paramref name="length"/> zero bytes (a metadata bomb's payload).</summary>
    public static byte[] ZlibZeros(int length)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var block = new byte[1 << 20];
            for (int done = 0; done < length; done += block.Length) z.Write(block, 0, Math.Min(block.Length, length - done));
        }
        return ms.ToArray();
    }

    private static byte[] Deflate(IReadOnlyList<byte[]> rows)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            foreach (var row in rows)
            {
                z.WriteByte(0); // filter type None
                z.Write(row);
            }
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32([.. typeBytes, .. data]));
        s.Write(word);
    }

    // PNG's CRC-32 (reflected polynomial 0xEDB88320), bitwise: the chunks here are tiny.
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
