using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Detection;

/// <summary>A per-pixel anomaly map (row-major, managed memory), higher = more anomalous.</summary>
public sealed class AnomalyMap
{
    /// <summary>Wraps <paramref name="values"/> (length width·height, row-major).</summary>
    public AnomalyMap(int width, int height, float[] values)
    {
        if (values.Length != (long)width * height) throw new ArgumentException($"{values.Length} values for a {width}×{height} map");
        Width = width;
        Height = height;
        Values = values;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major values; <c>Values[y * Width + x]</c>.</summary>
    public float[] Values { get; }

    /// <summary>Value at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y] => Values[y * Width + x];

    /// <summary>Largest value.</summary>
    public float Max => Values.Max();

    /// <summary>Smallest value.</summary>
    public float Min => Values.Min();

    /// <summary>Copies a [H, W] tensor into a map.</summary>
    public static AnomalyMap FromTensor(Tensor map)
    {
        if (map.dim() != 2) throw new ArgumentException($"expected a [H, W] map, got [{string.Join(",", map.shape)}]");
        using var cpu = map.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return new AnomalyMap((int)map.shape[1], (int)map.shape[0], cpu.data<float>().ToArray());
    }

    /// <summary>The map as a [H, W] float32 tensor on <paramref name="device"/> (CPU when null).</summary>
    public Tensor ToTensor(Device? device = null) => tensor(Values, [Height, Width], device: device);

    /// <summary>Bilinear resize (align_corners false, no antialias) to <paramref name="width"/>×<paramref name="height"/>.</summary>
    public AnomalyMap Resize(int width, int height)
    {
        if (width == Width && height == Height) return this;
        using var scope = NewDisposeScope();
        var t = ToTensor().reshape(1, 1, Height, Width);
        var r = nn.functional.interpolate(t, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return FromTensor(r[0, 0]);
    }

    /// <summary>Binary mask, 1 where the value is strictly above <paramref name="threshold"/>.</summary>
    public byte[] Threshold(double threshold)
    {
        var mask = new byte[Values.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = Values[i] > threshold ? (byte)1 : (byte)0;
        return mask;
    }
}
