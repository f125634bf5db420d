using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

/// <summary>Resizes a ViT positional-embedding table to another patch grid, as OpenCLIP's <c>resize_pos_embed</c>.</summary>
public static class PositionalEmbedding
{
    /// <summary>
    /// Resizes <paramref name="table"/> [1 + g0², D] to [1 + grid², D]: the class-token row is kept, the g0×g0 patch
    /// rows are resized as a D-channel image with antialiased bicubic interpolation (Keys a = −0.5, weights
    /// renormalised at the borders, align_corners false) in float32, then flattened back row-major.
    /// </summary>
    /// <exception cref="ArgumentException">The table's patch rows do not form a square grid.</exception>
    public static Tensor Resize(Tensor table, int grid)
    {
        long rows = table.shape[0] - 1, width = table.shape[1];
        long g0 = (long)Math.Round(Math.Sqrt(rows));
        if (g0 * g0 != rows) throw new ArgumentException($"positional embedding has {rows} patch rows, not a square grid", nameof(table));
        if (g0 == grid) return table.clone();
        using var scope = NewDisposeScope();
        var src = table.to(CPU).to_type(ScalarType.Float32);
        var cls = src[..1];
        var img = src[1..].reshape(1, g0, g0, width).permute(0, 3, 1, 2);
        var resized = nn.functional.interpolate(img, [grid, grid], mode: InterpolationMode.Bicubic, align_corners: false, antialias: true);
        var patches = resized.permute(0, 2, 3, 1).reshape(grid * (long)grid, width);
        return cat([cls, patches], 0).to_type(table.dtype).to(table.device).MoveToOuterDisposeScope();
    }
}
