using Onnx;

namespace AnomalyClip.Backbones.Onnx;

/// <summary>Typed access to a node's attributes with the operator's documented defaults.</summary>
internal static class OnnxAttributes
{
    public static long[] Ints(this NodeProto node, string name, long[] fallback)
    {
        AttributeProto? a = Find(node, name);
        return a is null ? fallback : a.Ints.ToArray();
    }

    public static long Int(this NodeProto node, string name, long fallback) => Find(node, name)?.I ?? fallback;

    public static float Float(this NodeProto node, string name, float fallback) => Find(node, name)?.F ?? fallback;

    public static string String(this NodeProto node, string name, string fallback)
    {
        AttributeProto? a = Find(node, name);
        return a is null ? fallback : a.S.ToStringUtf8();
    }

    private static AttributeProto? Find(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name);
}
