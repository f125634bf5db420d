using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.FewShot;

/// <summary>
/// PatchCore's greedy coreset: picks rows of a memory bank one at a time, each the row farthest from those already
/// picked (k-centre), so a fraction of the bank still covers all of it. Distances are taken in a random Gaussian
/// projection to at most <see cref="ProjectionDims"/> dimensions (Johnson–Lindenstrauss), seeded, so picks repeat.
/// </summary>
public static class CoresetSampler
{
    /// <summary>Dimensions of the random projection distances are measured in.</summary>
    public const int ProjectionDims = 128;

    /// <summary>Indices [count] (int64, on the rows' device) of <paramref name="count"/> rows of <paramref name="rows"/> [R, C].</summary>
    /// <exception cref="ArgumentException">count is below 1 or above the row count.</exception>
    public static Tensor Select(Tensor rows, int count, int seed = 0)
    {
        long total = rows.shape[0];
        if (count < 1 || count > total) throw new ArgumentException($"a coreset of {count} rows out of {total} is not possible");
        using var grad = no_grad();
        using var scope = NewDisposeScope();
        var x = rows.to_type(ScalarType.Float32);
        if (x.shape[1] > ProjectionDims)
        {
            var generator = new Generator((ulong)seed, device: CPU);
            var projection = randn([x.shape[1], ProjectionDims], generator: generator).to(x.device) / Math.Sqrt(ProjectionDims);
            x = x.matmul(projection);
        }
        var squared = x.pow(2).sum(1);
        var picked = new long[count];
        long next = new Random(seed).NextInt64(total);
        Tensor? nearest = null;
        for (int i = 0; i < count; i++)
        {
            picked[i] = next;
            using var inner = NewDisposeScope();
            var centre = x[next];
            var distance = (squared - 2 * x.matmul(centre) + centre.pow(2).sum()).clamp_min(0);
            var updated = nearest is null ? distance : minimum(nearest, distance);
            nearest?.Dispose();
            nearest = updated.DetachFromDisposeScope();
            next = nearest.argmax().item<long>();
        }
        nearest?.Dispose();
        return tensor(picked, device: rows.device).MoveToOuterDisposeScope();
    }
}
