using System.Security.Cryptography;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Tests.Inference.Visualization;

/// <summary>Shared inputs of the overlay tests.</summary>
internal static class OverlayTestImages
{
    /// <summary>Decodes a golden test image, e.g. ("bottle", "test", "defect", "000.png").</summary>
    public static DecodedImage Golden(params string[] parts) =>
        new ImageDecoder().Decode(Support.Golden.PathOf(["dataset_test", .. parts]));

    /// <summary>
    /// A deterministic S×S map, v = ((7x + 13y) mod 50) / 7 in float32, which the Python reference runs rebuild
    /// exactly (<c>((x*7+y*13)%50).astype(np.float32)/np.float32(7)</c>).
    /// </summary>
    public static AnomalyMap PatternMap(int size)
    {
        var v = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                v[y * size + x] = ((x * 7 + y * 13) % 50) / 7f;
        return new AnomalyMap(size, size, v);
    }

    /// <summary>The image's RGB bytes, row-major.</summary>
    public static byte[] Bytes(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex SHA-256 of the image's RGB bytes.</summary>
    public static string Sha256(Image<Rgb24> image) => Convert.ToHexStringLower(SHA256.HashData(Bytes(image)));

    /// <summary>A detector result around <paramref name="map"/> for an image of the given size.</summary>
    public static AnomalyResult Result(AnomalyMap map, int originalWidth, int originalHeight) =>
        new("test.png", "bottle", 0.5, 0.5, map, originalWidth, originalHeight);
}
