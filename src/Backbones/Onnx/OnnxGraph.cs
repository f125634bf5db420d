using AnomalyClip.Clip;
using Onnx;

namespace AnomalyClip.Backbones.Onnx;

/// <summary>
/// An ONNX graph indexed by value name (who produces it, who consumes it, which initializer holds it), so that a
/// reader can follow the data flow instead of trusting node order. Every "not what was expected" becomes a
/// <see cref="ModelLoadException"/> naming the file and the node.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);

    public OnnxGraph(string path, GraphProto graph)
    {
        Path = path;
        Graph = graph;
        foreach (TensorProto t in graph.Initializer) _initializers[t.Name] = t;
        foreach (NodeProto node in graph.Node)
        {
            foreach (string output in node.Output) _producers[output] = node;
            foreach (string input in node.Input)
            {
                if (input.Length == 0) continue; // an omitted optional input
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(node);
            }
        }
    }

    /// <summary>The file the graph came from, for error messages.</summary>
    public string Path { get; }

    public GraphProto Graph { get; }

    /// <summary>Graph inputs that are fed at run time (old exporters also list every initializer as an input).</summary>
    public IReadOnlyList<ValueInfoProto> DataInputs =>
        Graph.Input.Where(i => !_initializers.ContainsKey(i.Name)).ToList();

    public IReadOnlyList<NodeProto> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : [];

    public bool IsGraphOutput(string value) => Graph.Output.Any(o => o.Name == value);

    /// <summary>The one node that reads <paramref name="value"/>, which must be a <paramref name="opType"/>.</summary>
    public NodeProto SingleConsumer(string value, string opType)
    {
        NodeProto node = SingleConsumer(value);
        if (node.OpType != opType) throw Error($"{Describe(node)} reads {Origin(value)}; expected a {opType} there");
        return node;
    }

    /// <summary>The one node that reads <paramref name="value"/>, whatever its type.</summary>
    public NodeProto SingleConsumer(string value)
    {
        var consumers = Consumers(value);
        if (consumers.Count != 1)
            throw Error($"{Origin(value)} is read by {consumers.Count} nodes ({string.Join(", ", consumers.Select(Describe))}); expected exactly one");
        return consumers[0];
    }

    /// <summary>The initializer <paramref name="name"/> as float32 values, checked against <paramref name="shape"/> (−1 = any).</summary>
    public (float[] Values, long[] Dims) Floats(string name, string role, params long[] shape)
    {
        if (!_initializers.TryGetValue(name, out TensorProto? tensor))
            throw Error($"{role} {name} is not an initializer (weights must be stored in the file)");
        long[] dims = tensor.Dims.ToArray();
        if (shape.Length != dims.Length || shape.Where((d, i) => d >= 0 && d != dims[i]).Any())
            throw Error($"{role} {name} has shape [{string.Join(",", dims)}]; expected [{string.Join(",", shape.Select(d => d < 0 ? "?" : d.ToString()))}]");
        return (OnnxTensors.ToFloats(tensor, this), dims);
    }

    /// <summary>The single output value of <paramref name="node"/> (extra, optional outputs such as BN statistics must be absent).</summary>
    public string SingleOutput(NodeProto node)
    {
        var outputs = node.Output.Where(o => o.Length > 0).ToList();
        if (outputs.Count != 1) throw Error($"{Describe(node)} has {outputs.Count} outputs; expected one");
        return outputs[0];
    }

    public ModelLoadException Error(string message) => new(Path, message);

    /// <summary>A value and where it comes from, for error messages.</summary>
    public string Origin(string value) =>
        _producers.TryGetValue(value, out NodeProto? node) ? $"{value} (output of {Describe(node)})" : $"value {value}";

    public static string Describe(NodeProto node) =>
        node.Name.Length > 0 ? $"{node.OpType} node '{node.Name}'" : $"{node.OpType} node producing {string.Join(",", node.Output)}";
}
