using AnomalyClip.Clip.Preprocessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>Conversions between decoded images, packed RGB bytes and ImageSharp images for drawing.</summary>
internal static class RgbPixels
{
    /// <summary>
    /// The image as packed RGB bytes (width·height·3): grey is replicated, alpha is dropped without compositing
    /// (as <c>cv2.imread</c> does), palette images are already expanded.
    /// </summary>
    public static byte[] From(DecodedImage image)
    {
        var src = image.Pixels;
        int n = image.Width * image.Height;
        var rgb = new byte[n * 3];
        switch (image.Mode)
        {
            case ImageMode.Rgb or ImageMode.Palette:
                src.CopyTo(rgb);
                break;
            case ImageMode.Rgba:
                for (int i = 0; i < n; i++)
                {
                    rgb[3 * i] = src[4 * i];
                    rgb[3 * i + 1] = src[4 * i + 1];
                    rgb[3 * i + 2] = src[4 * i + 2];
                }
                break;
            case ImageMode.Grey or ImageMode.Bilevel or ImageMode.GreyAlpha:
                int stride = image.Channels;
                for (int i = 0; i < n; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = src[stride * i];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(image), image.Mode, "unknown image mode");
        }
        return rgb;
    }

    /// <summary>Wraps packed RGB bytes in a new ImageSharp image.</summary>
    public static Image<Rgb24> ToImage(byte[] rgb, int width, int height) => Image.LoadPixelData<Rgb24>(rgb, width, height);
}
