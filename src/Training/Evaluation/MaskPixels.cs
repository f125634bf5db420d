using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Evaluation;

/// <summary>Ground-truth masks as managed 0/1 bytes (1 = defect pixel), the form the metric accumulator takes.</summary>
internal static class MaskPixels
{
    /// <summary>APRIL-GAN's mask transform (<see cref="MaskPreprocessor"/>): binarise &gt; 0, bilinear resize to S×S, &gt; 0.5.</summary>
    public static byte[] Resized(MaskPreprocessor preprocessor, DecodedImage mask)
    {
        using var scope = NewDisposeScope();
        var values = preprocessor.ToTensor(mask, CPU).data<float>().ToArray();
        return Binary(values);
    }

    /// <summary>
    /// The mask at its own size: a pixel is a defect when its Pillow <c>convert("L")</c> grey level is above 0
    /// (APRIL-GAN's <c>np.array(mask.convert("L")) &gt; 0</c>).
    /// </summary>
    public static byte[] AtOwnSize(DecodedImage mask)
    {
        var grey = mask.ToGrey();
        for (int i = 0; i < grey.Length; i++) grey[i] = grey[i] > 0 ? (byte)1 : (byte)0;
        return grey;
    }

    private static byte[] Binary(float[] values)
    {
        var bits = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = values[i] > 0.5f ? (byte)1 : (byte)0;
        return bits;
    }
}
