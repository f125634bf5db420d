using AnomalyClip.Backbones.Onnx;
using Onnx;

namespace AnomalyClip.Backbones.ResNet;

/// <summary>
/// Finds a BasicBlock ResNet in an ONNX graph by following the data flow from the input: stem Conv → BN → Relu →
/// MaxPool, then blocks Conv → BN → Relu → Conv → BN → Add(shortcut) → Relu, where a shortcut that is itself a
/// Conv → BN is a projection, and finally AveragePool. Node order is never used: exporters (CNTK here) emit a
/// projection before the block's own first conv.
/// </summary>
internal static class ResNetGraphReader
{
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">The graph is not such a ResNet, or a weight is missing or mis-shaped.</exception>
    public static ResNetSpec Read(OnnxGraph graph)
    {
        var inputs = graph.DataInputs;
        if (inputs.Count != 1)
            throw graph.Error($"expected one image input, found {inputs.Count} ({string.Join(", ", inputs.Select(i => i.Name))})");
        string input = inputs[0].Name;

        var (stem, stemOut) = ReadConvNorm(graph, graph.SingleConsumer(input, "Conv"), inChannels: 3);
        NodeProto relu = graph.SingleConsumer(stemOut, "Relu");
        NodeProto maxPool = graph.SingleConsumer(graph.SingleOutput(relu), "MaxPool");
        PoolSpec pool = ReadPool(graph, maxPool);
        string value = graph.SingleOutput(maxPool);
        int channels = stem.OutChannels;

        var stages = new List<List<BlockSpec>>();
        var visited = new HashSet<string>(StringComparer.Ordinal) { value };
        while (true)
        {
            var consumers = graph.Consumers(value);
            if (consumers.Count == 1 && consumers[0].OpType == "AveragePool") break;
            BlockSpec block = ReadBlock(graph, value, channels);
            bool downsamples = block.Projection is not null || block.First.Stride.Any(s => s > 1);
            if (stages.Count == 0 || downsamples) stages.Add([]);
            stages[^1].Add(block);
            value = block.OutputName;
            if (!visited.Add(value)) throw graph.Error($"the graph loops back to {value}");
            channels = block.Second.OutChannels;
        }
        if (stages.Count != 4)
            throw graph.Error($"found {stages.Count} residual stages; a ResNet has 4");

        NodeProto average = graph.Consumers(value)[0];
        PoolSpec avg = ReadPool(graph, average);
        if (!avg.Padding.IsSymmetric)
            throw graph.Error($"{OnnxGraph.Describe(average)} has asymmetric pads {avg.Padding}, which is not supported");
        string output = graph.SingleOutput(average);
        if (!graph.IsGraphOutput(output))
            throw graph.Error($"{OnnxGraph.Describe(average)} is not the graph's output; expected the network to end there");
        return new ResNetSpec(input, stem, pool, stages.Select(s => new StageSpec(s)).ToList(), avg, output);
    }

    private static BlockSpec ReadBlock(OnnxGraph graph, string input, int channels)
    {
        var consumers = graph.Consumers(input);
        ConvSpec? first = null, projection = null;
        string? firstOut = null, projectionOut = null;
        foreach (NodeProto node in consumers.Where(n => n.OpType == "Conv"))
        {
            var (conv, normOut) = ReadConvNorm(graph, node, channels);
            string next = graph.SingleConsumer(normOut).OpType;
            if (next == "Relu" && first is null) (first, firstOut) = (conv, normOut);
            else if (next == "Add" && projection is null) (projection, projectionOut) = (conv, normOut);
            else throw graph.Error($"{OnnxGraph.Describe(node)} on {input} is neither a block's first conv nor its projection");
        }
        if (first is null || firstOut is null)
            throw graph.Error($"no residual block starts at {input} (readers: {string.Join(", ", consumers.Select(OnnxGraph.Describe))})");
        // The first conv plus either the identity Add or the projection conv.
        if (consumers.Count != 2)
            throw graph.Error($"value {input} is read by {consumers.Count} nodes; a residual block reads it twice");

        NodeProto relu = graph.SingleConsumer(firstOut, "Relu");
        var (second, secondOut) = ReadConvNorm(graph, graph.SingleConsumer(graph.SingleOutput(relu), "Conv"), first.OutChannels);
        NodeProto add = graph.SingleConsumer(secondOut, "Add");
        if (add.Input.Count != 2) throw graph.Error($"{OnnxGraph.Describe(add)} has {add.Input.Count} inputs; expected 2");
        string shortcut = add.Input[0] == secondOut ? add.Input[1] : add.Input[0];
        string expected = projectionOut ?? input;
        if (shortcut != expected)
            throw graph.Error($"{OnnxGraph.Describe(add)} adds {shortcut}; expected the block's shortcut {expected}");
        int shortcutChannels = projection?.OutChannels ?? channels;
        if (shortcutChannels != second.OutChannels)
            throw graph.Error($"{OnnxGraph.Describe(add)} adds {second.OutChannels} to {shortcutChannels} channels");

        NodeProto outRelu = graph.SingleConsumer(graph.SingleOutput(add), "Relu");
        return new BlockSpec(first, second, projection, graph.SingleOutput(outRelu));
    }

    /// <summary>A Conv and the BatchNormalization that is its only reader; returns the BN's output value.</summary>
    private static (ConvSpec Conv, string NormOutput) ReadConvNorm(OnnxGraph graph, NodeProto conv, int inChannels)
    {
        string where = OnnxGraph.Describe(conv);
        if (conv.Input.Count is < 2 or > 3) throw graph.Error($"{where} has {conv.Input.Count} inputs; expected 2 or 3");
        var (weight, shape) = graph.Floats(conv.Input[1], $"{where} weight", -1, inChannels, -1, -1);
        float[]? bias = conv.Input.Count == 3 && conv.Input[2].Length > 0
            ? graph.Floats(conv.Input[2], $"{where} bias", shape[0]).Values
            : null;
        if (conv.Int("group", 1) != 1) throw graph.Error($"{where} is a grouped convolution, which a ResNet does not use");
        if (conv.Ints("dilations", [1, 1]).Any(d => d != 1)) throw graph.Error($"{where} is dilated, which a ResNet does not use");
        long[] kernel = conv.Ints("kernel_shape", [shape[2], shape[3]]);
        if (kernel.Length != 2 || kernel[0] != shape[2] || kernel[1] != shape[3])
            throw graph.Error($"{where} kernel_shape [{string.Join(",", kernel)}] does not match its weight [{string.Join(",", shape)}]");
        long[] stride = ReadStride(graph, conv);
        Padding padding = ReadPadding(graph, conv);

        NodeProto norm = graph.SingleConsumer(graph.SingleOutput(conv), "BatchNormalization");
        return (new ConvSpec(conv.Name, weight, shape, bias, stride, padding, ReadNorm(graph, norm, shape[0])), graph.SingleOutput(norm));
    }

    private static BatchNormSpec ReadNorm(OnnxGraph graph, NodeProto norm, long channels)
    {
        string where = OnnxGraph.Describe(norm);
        if (norm.Input.Count != 5) throw graph.Error($"{where} has {norm.Input.Count} inputs; expected 5");
        // Opset < 9 BatchNormalization has a "spatial" flag; 0 would mean per-pixel statistics.
        if (norm.Int("spatial", 1) != 1) throw graph.Error($"{where} has spatial=0, which is not supported");
        float[] Vector(int i, string role) => graph.Floats(norm.Input[i], $"{where} {role}", channels).Values;
        return new BatchNormSpec(Vector(1, "scale"), Vector(2, "bias"), Vector(3, "mean"), Vector(4, "variance"),
            norm.Float("epsilon", 1e-5f));
    }

    private static PoolSpec ReadPool(OnnxGraph graph, NodeProto pool)
    {
        string where = OnnxGraph.Describe(pool);
        long[] kernel = pool.Ints("kernel_shape", []);
        if (kernel.Length != 2) throw graph.Error($"{where} has kernel_shape [{string.Join(",", kernel)}]; expected two values");
        if (pool.Int("ceil_mode", 0) != 0) throw graph.Error($"{where} uses ceil_mode, which is not supported");
        if (pool.Ints("dilations", [1, 1]).Any(d => d != 1)) throw graph.Error($"{where} is dilated, which is not supported");
        if (pool.OpType == "MaxPool" && pool.Output.Count(o => o.Length > 0) > 1)
            throw graph.Error($"{where} also outputs indices, which is not supported");
        return new PoolSpec(pool.Name, kernel, ReadStride(graph, pool), ReadPadding(graph, pool), pool.Int("count_include_pad", 0) != 0);
    }

    private static long[] ReadStride(OnnxGraph graph, NodeProto node)
    {
        long[] stride = node.Ints("strides", [1, 1]);
        if (stride.Length != 2 || stride.Any(s => s < 1))
            throw graph.Error($"{OnnxGraph.Describe(node)} has strides [{string.Join(",", stride)}]; expected two positive values");
        return stride;
    }

    private static Padding ReadPadding(OnnxGraph graph, NodeProto node)
    {
        string autoPad = node.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or ""))
            throw graph.Error($"{OnnxGraph.Describe(node)} uses auto_pad={autoPad}; only explicit pads are supported");
        long[] pads = node.Ints("pads", [0, 0, 0, 0]);
        if (pads.Length != 4 || pads.Any(p => p < 0 || p > int.MaxValue))
            throw graph.Error($"{OnnxGraph.Describe(node)} has pads [{string.Join(",", pads)}]; expected four non-negative values");
        return new Padding((int)pads[0], (int)pads[1], (int)pads[2], (int)pads[3]);
    }
}
