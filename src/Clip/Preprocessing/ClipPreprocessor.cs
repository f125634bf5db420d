using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Turns decoded images into CLIP input tensors exactly as open_clip's (or APRIL-GAN's) PIL transform does:
/// Pillow resize in the image's own mode, centre crop, <c>convert("RGB")</c>, <c>ToTensor</c>, <c>Normalize</c>.
/// </summary>
public sealed class ClipPreprocessor
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates the transform described by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">Size is not positive or mean/std do not have three positive-std entries.</exception>
    public ClipPreprocessor(ClipTransformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size < 1) throw new ArgumentException($"Size must be positive, got {options.Size}", nameof(options));
        if (options.Mean.Count != 3 || options.Std.Count != 3)
            throw new ArgumentException("Mean and Std need one value per RGB channel", nameof(options));
        if (options.Std.Any(s => !(s > 0))) throw new ArgumentException("Std values must be positive", nameof(options));
        Options = options;
        _mean = options.Mean.Select(m => (float)m).ToArray();
        _std = options.Std.Select(s => (float)s).ToArray();
    }

    /// <summary>The transform settings.</summary>
    public ClipTransformOptions Options { get; }

    /// <summary>Preprocesses one image to a float32 tensor [3, S, S] on <paramref name="device"/>.</summary>
    public Tensor ToTensor(DecodedImage image, Device device)
    {
        ArgumentNullException.ThrowIfNull(image);
        int s = Options.Size;
        var data = new float[3 * s * s];
        Normalise(ToRgbPixels(image), data, 0);
        return torch.tensor(data, [3, s, s], ScalarType.Float32, device);
    }

    /// <summary>Preprocesses a batch to a float32 tensor [N, 3, S, S] on <paramref name="device"/>, in list order.</summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public Tensor ToBatch(IReadOnlyList<DecodedImage> images, Device device)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("the batch is empty", nameof(images));
        int s = Options.Size, plane = 3 * s * s;
        var data = new float[(long)images.Count * plane];
        for (int i = 0; i < images.Count; i++) Normalise(ToRgbPixels(images[i]), data, (long)i * plane);
        return torch.tensor(data, [images.Count, 3, s, s], ScalarType.Float32, device);
    }

    /// <summary>The size the image has after the resize step, before the crop (width, height).</summary>
    public (int Width, int Height) ResizedSize(int width, int height)
    {
        int s = Options.Size;
        if (Options.Mode == ResizeMode.Squash) return (s, s);
        // torchvision: long side = int(S * long / short), Python true division then truncation.
        if (width <= height) return (s, (int)((double)((long)s * height) / width));
        return ((int)((double)((long)s * width) / height), s);
    }

    /// <summary>The S×S RGB bytes (row-major, interleaved) that the tensor is computed from.</summary>
    internal byte[] ToRgbPixels(DecodedImage image)
    {
        int s = Options.Size;
        var (w, h) = ResizedSize(image.Width, image.Height);
        DecodedImage resized = PillowResampler.Resize(image, w, h, Options.Filter);
        byte[] rgb = PillowModeConversion.ToRgb(resized);
        int top = CropOffset(h, s), left = CropOffset(w, s);
        if (top == 0 && left == 0 && w == s && h == s) return rgb;
        var cropped = new byte[s * s * 3];
        for (int y = 0; y < s; y++)
            Array.Copy(rgb, ((top + y) * w + left) * 3, cropped, y * s * 3, s * 3);
        return cropped;
    }

    /// <summary>torchvision CenterCrop's offset: int(round((size − crop) / 2)) with round-half-to-even.</summary>
    internal static int CropOffset(int size, int crop) =>
        (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);

    private void Normalise(byte[] rgb, float[] target, long offset)
    {
        int n = rgb.Length / 3;
        for (int c = 0; c < 3; c++)
        {
            float mean = _mean[c], std = _std[c];
            long plane = offset + (long)c * n;
            // Same float32 operations as ToTensor (u8 / 255) then Normalize ((x - mean) / std).
            for (int i = 0; i < n; i++) target[plane + i] = (rgb[i * 3 + c] / 255f - mean) / std;
        }
    }
}
