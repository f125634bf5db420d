using AnomalyClip.Clip.Preprocessing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Training.Trainer;

/// <summary>Turns composed ImageSharp images (mosaics) into the preprocessors' decoded form.</summary>
internal static class ImageConversion
{
    public static DecodedImage ToDecoded(Image<Rgb24> image)
    {
        var pixels = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(pixels);
        return new DecodedImage(image.Width, image.Height, ImageMode.Rgb, pixels);
    }

    public static DecodedImage ToDecoded(Image<L8> image)
    {
        var pixels = new byte[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return new DecodedImage(image.Width, image.Height, ImageMode.Grey, pixels);
    }
}
