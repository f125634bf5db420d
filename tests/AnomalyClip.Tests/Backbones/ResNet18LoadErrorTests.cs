using AnomalyClip.Backbones.Onnx;
using AnomalyClip.Backbones.Preprocessing;
using AnomalyClip.Backbones.ResNet;
using AnomalyClip.Clip;
using AnomalyClip.Tests.Clip.Hub;
using Google.Protobuf;
using Onnx;
using Xunit;

namespace AnomalyClip.Tests.Backbones;

/// <summary>Files that are not the package's ResNet-18 fail with a <see cref="ModelLoadException"/> naming the file and the problem.</summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNet18LoadErrorTests(ResNet18Fixture fixture)
{
    [Fact]
    public void MissingModel_SaysNotFound()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("ResNet18.onnx");
        var e = Assert.Throws<ModelLoadException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(10_000_000)]
    public void TruncatedModel_IsRejected(int bytes)
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("ResNet18.onnx");
        using (var source = File.OpenRead(fixture.ModelPath))
        using (var target = File.Create(path))
        {
            var buffer = new byte[bytes];
            source.ReadExactly(buffer);
            target.Write(buffer);
        }
        var e = Assert.Throws<ModelLoadException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
    }

    [Fact]
    public void TextFile_IsNotAModel()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("ResNet18.onnx");
        File.WriteAllText(path, "this is not a protobuf message, just some text that happens to sit here\n");
        var e = Assert.Throws<ModelLoadException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: path));
        Assert.Contains("ONNX model", e.Message);
    }

    [Fact]
    public void PreprocessingGraph_IsNotTheResNet()
    {
        var e = Assert.Throws<ModelLoadException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: fixture.PreprocessPath));
        Assert.Equal(fixture.PreprocessPath, e.FilePath);
        Assert.Contains("expected a Conv", e.Message);
    }

    [Fact]
    public void ConvWithoutBatchNorm_IsNotTheResNet()
    {
        using var dir = new TempDirectory();
        string path = dir.Sub("conv-relu.onnx");
        File.WriteAllBytes(path, ConvRelu().ToByteArray());
        var e = Assert.Throws<ModelLoadException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: path));
        Assert.Contains("expected a BatchNormalization", e.Message);
        Assert.Contains("'conv'", e.Message);
        // Nor is it the preprocessing graph.
        var p = Assert.Throws<ModelLoadException>(() => ResNetPreprocessor.Load(path, 224));
        Assert.Contains("expected a Split", p.Message);
    }

    [Fact]
    public void MissingWeight_IsNamed()
    {
        ModelProto model = ModelProto.Parser.ParseFromFile(fixture.ModelPath);
        GraphProto graph = model.Graph;
        graph.Initializer.Remove(graph.Initializer.Single(t => t.Name == "Parameter199"));
        var e = Assert.Throws<ModelLoadException>(() => ResNetGraphReader.Read(new OnnxGraph("edited.onnx", graph)));
        Assert.Contains("Parameter199 is not an initializer", e.Message);
        Assert.Contains("Convolution295", e.Message);
    }

    [Fact]
    public void MisShapedWeight_IsNamed()
    {
        ModelProto model = ModelProto.Parser.ParseFromFile(fixture.ModelPath);
        TensorProto scale = model.Graph.Initializer.Single(t => t.Name == "Parameter96");
        scale.FloatData.RemoveAt(0);
        scale.Dims[0] = 63;
        var e = Assert.Throws<ModelLoadException>(() => ResNetGraphReader.Read(new OnnxGraph("edited.onnx", model.Graph)));
        Assert.Contains("Parameter96 has shape [63]; expected [64]", e.Message);
    }

    [Fact]
    public void TruncatedWeightData_IsNamed()
    {
        ModelProto model = ModelProto.Parser.ParseFromFile(fixture.ModelPath);
        model.Graph.Initializer.Single(t => t.Name == "Parameter91").FloatData.RemoveAt(0);
        var e = Assert.Throws<ModelLoadException>(() => ResNetGraphReader.Read(new OnnxGraph("edited.onnx", model.Graph)));
        Assert.Contains("Parameter91 holds 9407 values; its shape needs 9408", e.Message);
    }

    [Fact]
    public void AbsurdWeightShape_IsRejectedBeforeAllocating()
    {
        ModelProto model = ModelProto.Parser.ParseFromFile(fixture.ModelPath);
        TensorProto weight = model.Graph.Initializer.Single(t => t.Name == "Parameter91");
        weight.Dims[0] = 1L << 40;
        var e = Assert.Throws<ModelLoadException>(() => ResNetGraphReader.Read(new OnnxGraph("edited.onnx", model.Graph)));
        Assert.Contains("too large", e.Message);
    }

    [Fact]
    public void BlankModelPath_IsAnArgumentError() =>
        Assert.Throws<ArgumentException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: " "));

    /// <summary>A valid ONNX graph: input → Conv(3→4, 3×3) → Relu.</summary>
    private static ModelProto ConvRelu()
    {
        var weight = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
        weight.Dims.AddRange([4L, 3, 3, 3]);
        weight.FloatData.AddRange(Enumerable.Repeat(0.1f, 4 * 3 * 3 * 3));
        var graph = new GraphProto { Name = "tiny" };
        graph.Initializer.Add(weight);
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = FloatTensor() });
        graph.Output.Add(new ValueInfoProto { Name = "y", Type = FloatTensor() });
        var conv = new NodeProto { Name = "conv", OpType = "Conv" };
        conv.Input.AddRange(["x", "w"]);
        conv.Output.Add("c");
        var relu = new NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("c");
        relu.Output.Add("y");
        graph.Node.AddRange([conv, relu]);
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model;
    }

    private static TypeProto FloatTensor() =>
        new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } };
}
