namespace AnomalyClip.Backbones.ResNet;

/// <summary>
/// Explicit padding of a 2-D window in ONNX order (begin of H, begin of W, end of H, end of W). CNTK's "same" padding
/// is exported with a larger begin than end for even sizes, which symmetric PyTorch-style padding cannot express.
/// </summary>
internal readonly record struct Padding(int Top, int Left, int Bottom, int Right)
{
    public static readonly Padding None = new(0, 0, 0, 0);

    public bool IsSymmetric => Top == Bottom && Left == Right;

    /// <summary>The same padding with <paramref name="bottom"/> and <paramref name="right"/> more rows/columns at the end.</summary>
    public Padding Extend(int bottom, int right) => new(Top, Left, Bottom + bottom, Right + right);

    /// <summary>Output length of a window of <paramref name="kernel"/> at <paramref name="stride"/> along one axis.</summary>
    public static long OutputLength(long length, long kernel, long stride, long begin, long end) =>
        (length + begin + end - kernel) / stride + 1;

    public override string ToString() => $"[{Top},{Left},{Bottom},{Right}]";
}
