namespace AnomalyClip.Backbones.ResNet;

/// <summary>BatchNormalization parameters of one layer, as stored in the graph (inference form).</summary>
internal sealed record BatchNormSpec(float[] Scale, float[] Shift, float[] Mean, float[] Variance, double Epsilon);

/// <summary>
/// A bias-free (or biased) 2-D convolution followed by BatchNormalization, read from the graph: the weight
/// [out, in, kh, kw], its stride and explicit padding, and the BN that consumes its output.
/// </summary>
internal sealed record ConvSpec(string Name, float[] Weight, long[] Shape, float[]? Bias, long[] Stride, Padding Padding, BatchNormSpec Norm)
{
    public int OutChannels => (int)Shape[0];

    public int InChannels => (int)Shape[1];
}
