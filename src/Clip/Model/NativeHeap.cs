using System.Runtime.InteropServices;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// How the C heap that libtorch allocates tensors from gives memory back. glibc serves a large block with its own
/// mmap, returned to the system when freed, but raises that size limit to the largest block freed so far (up to
/// 32 MB): after the first ViT forward pass its attention and MLP buffers come from the heap and stay resident when
/// freed. For ViT-L-14-336 at 518 px that is ~0.5 GB kept after one image (bench predict, fp32: peak RSS 2.36 GiB,
/// 1.86 GiB with a fixed 4 MB limit). The CLI and the server fix the limit when they load CLIP; an app that keeps a
/// CLIP detector in memory may call <see cref="ReturnLargeBlocksToSystem"/> once too. Not for the ResNet-18 alone:
/// it peaks at ~0.5-0.8 GB anyway, and mapping its mid-sized buffers afresh on every pass costs it 5-15 % of its speed.
/// </summary>
public static class NativeHeap
{
    /// <summary>Blocks of at least this size are mapped on their own, and unmapped when freed.</summary>
    public const int LargeBlockBytes = 4 << 20;

    private const int MmapThresholdParameter = -3; // glibc's M_MMAP_THRESHOLD

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MalloptFunction(int parameter, int value);

    /// <summary>
    /// Fixes glibc's mmap limit at <see cref="LargeBlockBytes"/>, so that freed tensors of that size or more go back to
    /// the system at once. Process-wide and idempotent.
    /// </summary>
    /// <returns>True when the setting took effect (Linux with glibc); false elsewhere, where nothing is changed.</returns>
    public static bool ReturnLargeBlocksToSystem()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out var libc)) return false;
        if (!NativeLibrary.TryGetExport(libc, "mallopt", out var mallopt)) return false;
        return Marshal.GetDelegateForFunctionPointer<MalloptFunction>(mallopt)(MmapThresholdParameter, LargeBlockBytes) == 1;
    }
}
