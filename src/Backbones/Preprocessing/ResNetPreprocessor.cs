using AnomalyClip.Backbones.Onnx;
using AnomalyClip.Clip.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones.Preprocessing;

/// <summary>
/// Turns decoded images into the ResNet's input: a squash resize to S×S (aspect not kept) with Pillow's antialiased
/// BILINEAR on the 8-bit image, Pillow's RGB conversion, then exactly the package's preprocessing graph: values
/// 0..255 (not divided by 255), channels reordered to BGR, minus the per-pixel mean image.
/// </summary>
internal sealed class ResNetPreprocessor
{
    private readonly int[] _order;
    private readonly float[] _mean;

    private ResNetPreprocessor(int size, int[] order, float[] mean)
    {
        Size = size;
        _order = order;
        _mean = mean;
    }

    /// <summary>Side in pixels of the square images this preprocessor produces.</summary>
    public int Size { get; }

    /// <summary>
    /// Reads <c>ResNetPreprocess.onnx</c> at <paramref name="path"/>. For a size other than the mean image's own
    /// (224), the mean image is resized bilinearly (align_corners false, antialiased when shrinking, float32): it is
    /// a smooth image, so this stays close to what the network saw in training, and closer than a flat per-channel
    /// mean at the borders.
    /// </summary>
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">The file is missing, not ONNX, or not that preprocessing graph.</exception>
    public static ResNetPreprocessor Load(string path, int size)
    {
        PreprocessSpec spec = PreprocessSpec.Read(OnnxModelFile.Read(path));
        return new ResNetPreprocessor(size, spec.ChannelOrder, ResizeMean(spec, size));
    }

    /// <summary>The batch [N, 3, S, S] float32 on <paramref name="device"/>, in list order.</summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null.</exception>
    public Tensor ToBatch(IReadOnlyList<DecodedImage> images, Device device)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("the batch is empty", nameof(images));
        int plane = 3 * Size * Size;
        var data = new float[(long)images.Count * plane];
        for (int i = 0; i < images.Count; i++)
        {
            DecodedImage image = images[i] ?? throw new ArgumentException($"image {i} is null", nameof(images));
            Fill(ToRgbPixels(image), data, (long)i * plane);
        }
        return torch.tensor(data, [images.Count, 3, Size, Size], ScalarType.Float32, device);
    }

    /// <summary>The S×S RGB bytes (row-major, interleaved) the tensor is computed from.</summary>
    internal byte[] ToRgbPixels(DecodedImage image) =>
        PillowModeConversion.ToRgb(PillowResampler.Resize(image, Size, Size, ResampleFilter.Bilinear));

    private void Fill(byte[] rgb, float[] target, long offset)
    {
        int n = Size * Size;
        for (int c = 0; c < 3; c++)
        {
            int source = _order[c];
            long plane = offset + (long)c * n;
            int meanPlane = c * n;
            // The graph's own float32 operation: (float)pixel − mean.
            for (int i = 0; i < n; i++) target[plane + i] = rgb[i * 3 + source] - _mean[meanPlane + i];
        }
    }

    private static float[] ResizeMean(PreprocessSpec spec, int size)
    {
        if (spec.Height == size && spec.Width == size) return spec.Mean;
        using var scope = NewDisposeScope();
        Tensor mean = torch.tensor(spec.Mean, [1, 3, spec.Height, spec.Width], ScalarType.Float32);
        Tensor resized = nn.functional.interpolate(mean, [size, size], mode: InterpolationMode.Bilinear,
            align_corners: false, antialias: true);
        return resized.contiguous().data<float>().ToArray();
    }
}
