using AnomalyClip.Clip.Preprocessing;

namespace AnomalyClip.Training.Evaluation;

/// <summary>Ground-truth masks as managed 0/1 bytes (1 = defect pixel), the form the metric accumulator takes.</summary>
internal static class MaskPixels
{
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
}
