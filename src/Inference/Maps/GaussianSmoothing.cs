using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Maps;

/// <summary>
/// Gaussian smoothing of anomaly maps as <c>scipy.ndimage.gaussian_filter(map, sigma, mode="reflect",
/// truncate=4)</c>: separable, kernel radius ⌊4σ + 0.5⌋, borders mirrored with the edge sample repeated.
/// Not part of APRIL-GAN (the paper has no smoothing); an option of the detectors.
/// </summary>
public static class GaussianSmoothing
{
    /// <summary>Smooths maps [N, H, W] with standard deviation <paramref name="sigma"/> pixels (computed in float64).</summary>
    public static Tensor Apply(Tensor maps, double sigma)
    {
        if (sigma <= 0) return maps.clone();
        using var scope = NewDisposeScope();
        int radius = (int)(4.0 * sigma + 0.5);
        var offsets = arange(-radius, radius + 1, ScalarType.Float64);
        var kernel = (-0.5 * (offsets / sigma).pow(2)).exp();
        kernel = (kernel / kernel.sum()).to(maps.device);
        var x = maps.to_type(ScalarType.Float64);
        x = Convolve(x, kernel, radius, dim: 2);
        x = Convolve(x, kernel, radius, dim: 1);
        return x.to_type(maps.dtype).MoveToOuterDisposeScope();
    }

    private static Tensor Convolve(Tensor x, Tensor kernel, int radius, int dim)
    {
        long n = x.shape[dim];
        var idx = new long[n + 2 * radius];
        for (int i = 0; i < idx.Length; i++) idx[i] = Reflect(i - radius, n);
        var padded = x.index_select(dim, tensor(idx, device: x.device));
        var windows = padded.unfold(dim, 2 * radius + 1, 1); // [..., n, 2r+1] along dim
        return windows.matmul(kernel);
    }

    // scipy "reflect": ... c b a | a b c ... (the edge sample is repeated), periodic with period 2n.
    private static long Reflect(long i, long n)
    {
        long period = 2 * n;
        long m = ((i % period) + period) % period;
        return m < n ? m : period - 1 - m;
    }
}
