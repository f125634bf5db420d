using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Backbones;

/// <summary>
/// Runs (edited copies of) the package's ONNX files in ONNX Runtime as the reference. The export fixes every shape to
/// [1,3,224,224] and exposes only the final output, so a copy gets dynamic N/H/W and the intermediate values as extra
/// outputs; it is written to a temporary file only for as long as the session needs to read it.
/// </summary>
internal static class OnnxRuntimeReference
{
    /// <summary>An ONNX Runtime session for <paramref name="model"/> (default session options).</summary>
    public static InferenceSession Session(ModelProto model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"anomalyclip-ort-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, model.ToByteArray());
            return new InferenceSession(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// <paramref name="model"/> with a dynamic input [N,3,H,W], shape-free outputs <paramref name="outputs"/> (any
    /// graph values), and only the nodes those outputs need (the rest of the graph may not even be runnable at every
    /// size). Edits <paramref name="model"/> in place and returns it.
    /// </summary>
    public static ModelProto WithOutputs(ModelProto model, params string[] outputs)
    {
        GraphProto graph = model.Graph;
        var dims = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name)).Type.TensorType.Shape.Dim;
        string[] names = ["N", "C", "H", "W"];
        for (int d = 0; d < dims.Count; d++)
            if (d != 1) dims[d] = new TensorShapeProto.Types.Dimension { DimParam = names[d] };
        graph.ValueInfo.Clear();
        graph.Output.Clear();
        foreach (string name in outputs)
            graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });

        var needed = new HashSet<string>(outputs);
        var kept = new List<NodeProto>();
        foreach (NodeProto node in graph.Node.Reverse())
        {
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (string input in node.Input) needed.Add(input);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var unused = graph.Initializer.Where(t => !needed.Contains(t.Name)).ToList();
        foreach (TensorProto t in unused) graph.Initializer.Remove(t);
        foreach (ValueInfoProto i in graph.Input.Where(i => !needed.Contains(i.Name)).ToList()) graph.Input.Remove(i);
        return model;
    }

    /// <summary>Runs <paramref name="session"/> on <paramref name="input"/> (CPU float32) and returns the named outputs as CPU tensors.</summary>
    public static Dictionary<string, Tensor> Run(InferenceSession session, Tensor input, params string[] outputs)
    {
        string inputName = session.InputMetadata.Keys.Single();
        float[] data = input.cpu().contiguous().data<float>().ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(data, input.shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], outputs);
        var tensors = new Dictionary<string, Tensor>();
        for (int i = 0; i < outputs.Length; i++)
        {
            long[] shape = results[i].GetTensorTypeAndShape().Shape;
            tensors[outputs[i]] = torch.tensor(results[i].GetTensorDataAsSpan<float>().ToArray(), shape);
        }
        return tensors;
    }
}
