using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Preprocessing;

/// <summary>
/// Ground-truth mask preprocessing of APRIL-GAN: <c>convert("L")</c>, binarise &gt; 0 to a 0/255 image, Pillow
/// BILINEAR (antialiased) resize to S×S, /255, then &gt; 0.5 → 1 else 0. Tensors are float32 [1, S, S] (the
/// ToTensor layout); stack them for a batch.
/// </summary>
public sealed class MaskPreprocessor
{
    private readonly ImageDecoder _decoder;

    /// <summary>Creates the transform for S×S masks, decoding files with <paramref name="decoder"/> (default limits if null).</summary>
    public MaskPreprocessor(int size, ImageDecoder? decoder = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "mask size must be positive");
        Size = size;
        _decoder = decoder ?? new ImageDecoder();
    }

    /// <summary>Side S of the square output, in pixels.</summary>
    public int Size { get; }

    /// <summary>Decodes the mask file at <paramref name="path"/> and returns the binarised [1, S, S] tensor of 0/1.</summary>
    /// <exception cref="ImageLoadException">The file cannot be decoded.</exception>
    public Tensor Load(string path, Device device) => ToTensor(_decoder.Decode(path), device);

    /// <summary>The binarised mask: float32 [1, S, S], 1 where the resized mask is above 0.5, else 0.</summary>
    public Tensor ToTensor(DecodedImage mask, Device device)
    {
        byte[] bits = ToPixels(mask);
        var data = new float[bits.Length];
        for (int i = 0; i < data.Length; i++) data[i] = bits[i];
        return torch.tensor(data, [1, Size, Size], ScalarType.Float32, device);
    }

    /// <summary>The binarised mask as managed bytes, S×S row-major: 1 where the resized mask is above 0.5, else 0.</summary>
    public byte[] ToPixels(DecodedImage mask)
    {
        byte[] bits = Resized(mask);
        for (int i = 0; i < bits.Length; i++) bits[i] = bits[i] / 255f > 0.5f ? (byte)1 : (byte)0;
        return bits;
    }

    /// <summary>
    /// The resized mask before thresholding: float32 [1, S, S] in 0..1 (k/255), fractional along resized edges.
    /// </summary>
    public Tensor ToSoftTensor(DecodedImage mask, Device device)
    {
        byte[] resized = Resized(mask);
        var data = new float[resized.Length];
        for (int i = 0; i < data.Length; i++) data[i] = resized[i] / 255f;
        return torch.tensor(data, [1, Size, Size], ScalarType.Float32, device);
    }

    /// <summary>The all-zero mask [1, S, S] that APRIL-GAN uses for normal (defect-free) images.</summary>
    public Tensor Empty(Device device) => torch.zeros([1, Size, Size], ScalarType.Float32, device);

    private byte[] Resized(DecodedImage mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        byte[] grey = PillowModeConversion.ToGrey(mask);
        var binary = new byte[grey.Length];
        for (int i = 0; i < grey.Length; i++) binary[i] = grey[i] > 0 ? (byte)255 : (byte)0;
        var image = new DecodedImage(mask.Width, mask.Height, ImageMode.Grey, binary);
        return PillowResampler.Resize(image, Size, Size, ResampleFilter.Bilinear).Buffer;
    }
}
