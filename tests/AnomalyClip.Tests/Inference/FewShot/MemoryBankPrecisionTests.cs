using AnomalyClip.Inference.Features;
using AnomalyClip.Inference.FewShot;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Inference.FewShot;

/// <summary>
/// Memory banks with bf16/fp16 rows (what the CLIP few-shot detector keeps at a reduced compute dtype): half the
/// memory, and distances that match the float32 bank's to well under the rounding of the rows themselves, because each
/// query's best row is re-scored in float32.
/// </summary>
public class MemoryBankPrecisionTests(ITestOutputHelper output)
{
    private static readonly string[] References = ["r0", "r1", "r2"];

    // Patch features with structure, as real ones have: each query patch is a reference patch plus noise, so its
    // nearest rows are close together and the search has real near-ties to resolve.
    private static (PatchFeatures Bank, Tensor Query) Features()
    {
        var generator = new Generator(7);
        var refs = randn([3, 49, 64], generator: generator);
        var query = refs[1..2] + 0.3 * randn([1, 49, 64], generator: generator);
        return (new PatchFeatures(["block2"], [refs]), query);
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, null)]
    [InlineData(ScalarType.BFloat16, 1)]
    [InlineData(ScalarType.Float16, null)]
    public void ReducedRowsGiveTheFloat32DistancesWithinTheirRounding(ScalarType dtype, int? exclude)
    {
        using var scope = NewDisposeScope();
        var (features, query) = Features();
        using var exact = MemoryBank.FromFeatures("part", PatchMetric.Cosine, features, References);
        using var reduced = MemoryBank.FromFeatures("part", PatchMetric.Cosine, features, References, dtype);
        Assert.Equal(dtype, reduced.RowDType);
        Assert.Equal(dtype, reduced.Layers[0].dtype);
        var expected = exact.Distance("block2", query, exclude);
        var actual = reduced.Distance("block2", query, exclude, chunkRows: 50);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        double diff = (actual - expected).abs().max().item<float>();
        output.WriteLine($"{dtype}, exclude {exclude?.ToString() ?? "none"}: max abs diff {diff:E2} (distances {expected.min().item<float>():F3}..{expected.max().item<float>():F3})");
        // bf16 rounds each stored coordinate by up to 2^-9 relative; a float32 score of those rows moves the distance
        // by about that much, far less than the 2^-8 steps a bf16 similarity itself takes near 1.
        Assert.True(diff < 2e-3, $"{dtype}: max abs diff {diff:E2}");
    }

    [Fact]
    public void AReducedBankSavesAndLoadsInItsDtype()
    {
        using var scope = NewDisposeScope();
        var (features, query) = Features();
        using var bank = MemoryBank.FromFeatures("part", PatchMetric.Cosine, features, References, ScalarType.BFloat16);
        var path = Path.Combine(Directory.CreateTempSubdirectory("bank-").FullName, "part.bank");
        bank.Save(path);
        using var loaded = MemoryBank.Load(path);
        Assert.Equal(ScalarType.BFloat16, loaded.RowDType);
        Assert.Equal(0f, (bank.Distance("block2", query) - loaded.Distance("block2", query)).abs().max().item<float>());
    }

    [Fact]
    public void EuclideanBanksKeepFloat32Rows()
    {
        var (features, _) = Features();
        using (features)
        {
            var e = Assert.Throws<ArgumentException>(() => MemoryBank.FromFeatures("part", PatchMetric.Euclidean, features, References, ScalarType.BFloat16));
            Assert.Contains("only cosine banks", e.Message);
        }
    }
}
