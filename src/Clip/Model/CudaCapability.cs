using System.Runtime.InteropServices;

namespace AnomalyClip.Clip.Model;

/// <summary>
/// Reads a CUDA device's compute capability from the NVIDIA driver (TorchSharp 0.107 has no call for it). The driver
/// library is present wherever CUDA runs, and it is the same driver libtorch uses, so asking it costs one
/// <c>cuInit</c> (idempotent) and two attribute reads.
/// </summary>
internal static class CudaCapability
{
    private const int CapabilityMajor = 75; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    private const int CapabilityMinor = 76; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuInit(uint flags);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuDeviceGet(out int device, int ordinal);

    [UnmanagedFunctionPointer(CallingConvention.Winapi)]
    private delegate int CuDeviceGetAttribute(out int value, int attribute, int device);

    /// <summary>(major, minor) of CUDA device <paramref name="ordinal"/>, or null when no driver answers.</summary>
    public static (int Major, int Minor)? Query(int ordinal)
    {
        var name = OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";
        // Not freed: libtorch keeps the same driver loaded for the life of the process anyway.
        if (!NativeLibrary.TryLoad(name, out var driver)) return null;
        if (!NativeLibrary.TryGetExport(driver, "cuInit", out var init)
            || !NativeLibrary.TryGetExport(driver, "cuDeviceGet", out var get)
            || !NativeLibrary.TryGetExport(driver, "cuDeviceGetAttribute", out var attribute))
            return null;
        var getAttribute = Marshal.GetDelegateForFunctionPointer<CuDeviceGetAttribute>(attribute);
        // CUresult 0 is CUDA_SUCCESS; any failure (no device, driver too old) means "unknown", not an error.
        if (Marshal.GetDelegateForFunctionPointer<CuInit>(init)(0) != 0
            || Marshal.GetDelegateForFunctionPointer<CuDeviceGet>(get)(out int device, ordinal) != 0
            || getAttribute(out int major, CapabilityMajor, device) != 0
            || getAttribute(out int minor, CapabilityMinor, device) != 0)
            return null;
        return (major, minor);
    }
}
