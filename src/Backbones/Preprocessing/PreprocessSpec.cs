using AnomalyClip.Backbones.Onnx;
using Onnx;

namespace AnomalyClip.Backbones.Preprocessing;

/// <summary>
/// What <c>ResNetPreprocess.onnx</c> does, read from its graph: Split the planar RGB input into channels, Concat
/// them in another order (BGR), Sub a per-pixel mean image. No scaling, no standard deviation.
/// </summary>
/// <param name="ChannelOrder">Output channel c is input channel ChannelOrder[c] (2, 1, 0 for RGB → BGR).</param>
/// <param name="Mean">The mean image, [3, Height, Width] row-major, in output channel order.</param>
/// <param name="Height">Mean image height in pixels.</param>
/// <param name="Width">Mean image width in pixels.</param>
internal sealed record PreprocessSpec(int[] ChannelOrder, float[] Mean, int Height, int Width)
{
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">The graph is not Split → Concat → Sub(mean image).</exception>
    public static PreprocessSpec Read(OnnxGraph graph)
    {
        var inputs = graph.DataInputs;
        if (inputs.Count != 1) throw graph.Error($"expected one image input, found {inputs.Count}");
        NodeProto split = graph.SingleConsumer(inputs[0].Name, "Split");
        if (split.Int("axis", 0) != 1 || split.Output.Count != 3)
            throw graph.Error($"{OnnxGraph.Describe(split)} does not split the three channels (axis 1)");
        NodeProto concat = graph.SingleConsumer(split.Output[0], "Concat");
        if (concat.Int("axis", -1) != 1 || concat.Input.Count != 3)
            throw graph.Error($"{OnnxGraph.Describe(concat)} does not join three channels (axis 1)");
        var order = new int[3];
        for (int c = 0; c < 3; c++)
        {
            order[c] = split.Output.IndexOf(concat.Input[c]);
            if (order[c] < 0 || graph.SingleConsumer(split.Output[order[c]]) != concat)
                throw graph.Error($"{OnnxGraph.Describe(concat)} input {concat.Input[c]} is not one of the split channels");
        }
        if (order.Distinct().Count() != 3) throw graph.Error($"{OnnxGraph.Describe(concat)} repeats a channel");

        string reordered = graph.SingleOutput(concat);
        NodeProto sub = graph.SingleConsumer(reordered, "Sub");
        if (sub.Input.Count != 2 || sub.Input[0] != reordered)
            throw graph.Error($"{OnnxGraph.Describe(sub)} does not subtract from the reordered image");
        if (!graph.IsGraphOutput(graph.SingleOutput(sub)))
            throw graph.Error($"{OnnxGraph.Describe(sub)} is not the graph's output");
        var (mean, dims) = graph.Floats(sub.Input[1], "mean image", 1, 3, -1, -1);
        if (dims[2] < 1 || dims[3] < 1) throw graph.Error("mean image is empty");
        return new PreprocessSpec(order, mean, (int)dims[2], (int)dims[3]);
    }
}
