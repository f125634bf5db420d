namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Pillow's integer mode conversions (libImaging/Convert.c), reproduced exactly because their rounding shows up in
/// the golden pixels.
/// </summary>
internal static class PillowModeConversion
{
    /// <summary>RGBA→RGBa / LA→La: colour channels times alpha/255 with Pillow's MULDIV255 rounding.</summary>
    public static byte[] Premultiply(byte[] pixels, int channels)
    {
        var result = new byte[pixels.Length];
        int alphaIndex = channels - 1;
        for (int p = 0; p < pixels.Length; p += channels)
        {
            uint alpha = pixels[p + alphaIndex];
            for (int c = 0; c < alphaIndex; c++)
            {
                uint tmp = pixels[p + c] * alpha + 128;
                result[p + c] = (byte)(((tmp >> 8) + tmp) >> 8);
            }
            result[p + alphaIndex] = (byte)alpha;
        }
        return result;
    }

    /// <summary>
    /// RGBa→RGBA / La→LA in place: 255·v/alpha with integer division, clipped to 255; alpha 0 and 255 leave the
    /// colour untouched (so fully transparent pixels stay black after a premultiplied resize).
    /// </summary>
    public static void UnpremultiplyInPlace(byte[] pixels, int channels)
    {
        int alphaIndex = channels - 1;
        for (int p = 0; p < pixels.Length; p += channels)
        {
            int alpha = pixels[p + alphaIndex];
            if (alpha is 0 or 255) continue;
            for (int c = 0; c < alphaIndex; c++)
                pixels[p + c] = (byte)Math.Min(255, 255 * pixels[p + c] / alpha);
        }
    }

    /// <summary>Pillow <c>convert("RGB")</c>: grey is replicated, alpha dropped (not composited).</summary>
    public static byte[] ToRgb(DecodedImage image)
    {
        byte[] src = image.Buffer;
        int n = image.Width * image.Height;
        if (image.Mode is ImageMode.Rgb or ImageMode.Palette) return src;
        var rgb = new byte[n * 3];
        int channels = image.Channels;
        bool grey = image.Mode is ImageMode.Grey or ImageMode.Bilevel or ImageMode.GreyAlpha;
        for (int i = 0; i < n; i++)
        {
            int s = i * channels;
            rgb[i * 3] = src[s];
            rgb[i * 3 + 1] = grey ? src[s] : src[s + 1];
            rgb[i * 3 + 2] = grey ? src[s] : src[s + 2];
        }
        return rgb;
    }

    /// <summary>
    /// Pillow <c>convert("L")</c>: grey kept, alpha dropped, colour through ITU-R 601-2 luma in Pillow's 16-bit
    /// fixed point, <c>(19595·R + 38470·G + 7471·B + 0x8000) &gt;&gt; 16</c>.
    /// </summary>
    public static byte[] ToGrey(DecodedImage image)
    {
        byte[] src = image.Buffer;
        int n = image.Width * image.Height;
        if (image.Mode is ImageMode.Grey or ImageMode.Bilevel) return src;
        var grey = new byte[n];
        int channels = image.Channels;
        for (int i = 0; i < n; i++)
        {
            int s = i * channels;
            grey[i] = image.Mode == ImageMode.GreyAlpha
                ? src[s]
                : (byte)((src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >> 16);
        }
        return grey;
    }
}
