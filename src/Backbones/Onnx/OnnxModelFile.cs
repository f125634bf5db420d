using AnomalyClip.Clip;
using Google.Protobuf;
using Onnx;

namespace AnomalyClip.Backbones.Onnx;

/// <summary>Reads an ONNX file with OnnxSharp's protobuf classes, turning every failure into a <see cref="ModelLoadException"/>.</summary>
internal static class OnnxModelFile
{
    /// <summary>Parses <paramref name="path"/> and returns its graph, indexed for walking.</summary>
    /// <exception cref="ModelLoadException">The file is missing, unreadable, not protobuf, or holds no graph.</exception>
    public static OnnxGraph Read(string path)
    {
        if (!File.Exists(path)) throw new ModelLoadException(path, "file not found");
        ModelProto model;
        try
        {
            // One read then an in-memory parse: protobuf's stream reader pulls 4 KB at a time, which is slower.
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelLoadException(path, "not a readable ONNX model (truncated or corrupt protobuf): " + e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException(path, "cannot read the file: " + e.Message, e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new ModelLoadException(path, "not an ONNX model: it holds no graph nodes");
        return new OnnxGraph(path, model.Graph);
    }
}
