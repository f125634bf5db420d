using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Inference.Visualization;

/// <summary>
/// OpenCV's <c>COLORMAP_JET</c> lookup table (as <c>cv2.applyColorMap</c> uses it on 8-bit input), in RGB order.
/// </summary>
/// <remarks>
/// OpenCV (<c>modules/imgproc/src/colormap.cpp</c>, class <c>Jet</c>) stores Octave's jet as 256 float32 samples
/// of the piecewise-linear ramps r = clamp(min(4x − 1.5, 4.5 − 4x)), g = clamp(min(4x − 0.5, 3.5 − 4x)),
/// b = clamp(min(4x + 0.5, 2.5 − 4x)) at x = i/255, re-samples them with its float32 <c>interp1</c> at the same
/// float32 <c>linspace</c> nodes and converts to bytes with <c>convertTo(CV_8U, 255)</c> (round half to even).
/// Those float32 steps decide entries that land on .5 (e.g. blue at 159 is 1, not 2), so they are reproduced here
/// operation by operation; the result equals OpenCV 4.6's table at all 256 entries.
/// </remarks>
internal static class JetColormap
{
    private const int Size = 256;
    private static readonly Rgb24[] Table = Build();

    /// <summary>The colour of 8-bit value <paramref name="index"/> (0 = dark blue, 255 = dark red).</summary>
    public static Rgb24 Lookup(byte index) => Table[index];

    private static Rgb24[] Build()
    {
        var nodes = new float[Size];
        float step = 1f / (Size - 1);
        for (int i = 0; i < Size; i++) nodes[i] = 0f + i * step;
        var r = Ramp(-1.5, 4.5);
        var g = Ramp(-0.5, 3.5);
        var b = Ramp(0.5, 2.5);
        var table = new Rgb24[Size];
        for (int i = 0; i < Size; i++)
            table[i] = new Rgb24(ToByte(Resample(nodes, r, i)), ToByte(Resample(nodes, g, i)), ToByte(Resample(nodes, b, i)));
        return table;
    }

    private static float[] Ramp(double rise, double fall)
    {
        var v = new float[Size];
        for (int i = 0; i < Size; i++)
        {
            double x = i / 255.0;
            v[i] = (float)Math.Clamp(Math.Min(4 * x + rise, fall - 4 * x), 0.0, 1.0);
        }
        return v;
    }

    // OpenCV's interp1 evaluated at node k of its own grid: binary search for the bracketing pair, then one float32
    // linear interpolation (which can be an ulp off the stored sample).
    private static float Resample(float[] x, float[] y, int k)
    {
        float xi = x[k];
        int low = 0, high = x.Length - 1;
        while (high - low > 1)
        {
            int c = low + ((high - low) >> 1);
            if (xi > x[c]) low = c;
            else high = c;
        }
        float delta = (xi - x[low]) * (y[high] - y[low]);
        return y[low] + delta / (x[high] - x[low]);
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f, MidpointRounding.ToEven), 0f, 255f);
}
