namespace AnomalyClip.Backbones.ResNet;

/// <summary>A pooling window read from the graph (square or not), with its explicit padding.</summary>
internal sealed record PoolSpec(string Name, long[] Kernel, long[] Stride, Padding Padding, bool CountIncludePad);

/// <summary>
/// A BasicBlock: conv-BN-ReLU, conv-BN, plus the shortcut (identity, or a strided conv-BN projection), then ReLU.
/// <see cref="OutputName"/> is the graph value of the block's final ReLU.
/// </summary>
internal sealed record BlockSpec(ConvSpec First, ConvSpec Second, ConvSpec? Projection, string OutputName);

/// <summary>A stage of blocks at one resolution; the first block may downsample.</summary>
internal sealed record StageSpec(IReadOnlyList<BlockSpec> Blocks)
{
    public int Channels => Blocks[^1].Second.OutChannels;

    public string OutputName => Blocks[^1].OutputName;
}

/// <summary>
/// A ResNet as found by walking an ONNX graph: stem conv-BN-ReLU, max-pool, the residual stages, the final average
/// pool, and the graph values at each boundary (useful to tap the same values in ONNX Runtime).
/// </summary>
internal sealed record ResNetSpec(string InputName, ConvSpec Stem, PoolSpec MaxPool, IReadOnlyList<StageSpec> Stages, PoolSpec AveragePool, string OutputName);
