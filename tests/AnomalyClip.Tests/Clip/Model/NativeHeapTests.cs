using AnomalyClip.Clip.Model;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Model;

/// <summary>
/// <see cref="NativeHeap"/> on Linux/glibc: a freed tensor of a size that glibc would otherwise keep in the heap (below
/// a larger block freed before it) goes back to the system. Run alone: resident memory is the whole process's.
/// </summary>
[Collection(NativeHeapCollection.Name)]
public class NativeHeapTests
{
    private static long ResidentBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

    [Fact]
    public void AFreedTensorBetweenTheLimitAndALargerFreedOneLeavesNothingResident()
    {
        if (!OperatingSystem.IsLinux()) return; // glibc only; elsewhere the call changes nothing and says so
        Assert.True(NativeHeap.ReturnLargeBlocksToSystem());
        // Without the fixed limit, freeing this 30 MB block raises glibc's limit to 30 MB, so the 24 MB below would be
        // carved from the heap and, once freed, stay resident there.
        zeros(30 << 18).Dispose();
        long before = ResidentBytes();
        zeros(24 << 18).Dispose(); // 24 MB of float32, every page written
        long kept = ResidentBytes() - before;
        Assert.True(kept < 12 << 20, $"{kept >> 20} MB of a freed 24 MB tensor stayed resident");
    }
}

/// <summary>Runs <see cref="NativeHeapTests"/> with no other test at the same time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeHeapCollection
{
    public const string Name = "native heap (alone)";
}
