using System.Buffers.Binary;
using Onnx;

namespace AnomalyClip.Backbones.Onnx;

/// <summary>Decodes float32 initializers, whichever of the two encodings the exporter chose.</summary>
internal static class OnnxTensors
{
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">Not float32, stored externally, or the wrong number of values.</exception>
    public static float[] ToFloats(TensorProto tensor, OnnxGraph graph)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
            throw graph.Error($"initializer {tensor.Name} has ONNX data type {tensor.DataType}; expected float32 (1)");
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
            throw graph.Error($"initializer {tensor.Name} is stored in an external data file, which is not supported");
        long count = 1;
        foreach (long d in tensor.Dims)
        {
            if (d < 0) throw graph.Error($"initializer {tensor.Name} has a negative dimension");
            // A corrupt shape must not turn into an overflow or a huge allocation.
            if (d > 0 && count > Array.MaxLength / d)
                throw graph.Error($"initializer {tensor.Name} has shape [{string.Join(",", tensor.Dims)}], too large to hold");
            count *= d;
        }

        float[] values;
        if (tensor.RawData.Length > 0)
        {
            // raw_data is little-endian by the ONNX spec, whatever the host.
            ReadOnlySpan<byte> raw = tensor.RawData.Span;
            if (raw.Length != count * sizeof(float))
                throw graph.Error($"initializer {tensor.Name} holds {raw.Length} bytes; its shape needs {count * sizeof(float)}");
            values = new float[count];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
        }
        else
        {
            if (tensor.FloatData.Count != count)
                throw graph.Error($"initializer {tensor.Name} holds {tensor.FloatData.Count} values; its shape needs {count}");
            values = new float[count];
            tensor.FloatData.CopyTo(values, 0);
        }
        return values;
    }
}
