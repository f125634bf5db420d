using AnomalyClip.Backbones;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit;

namespace AnomalyClip.Tests.Backbones;

/// <summary>The ResNet-18 backbone at 224 px, loaded once for every backbone test class (63 MB of weights).</summary>
public sealed class ResNet18Fixture : IDisposable
{
    /// <summary>
    /// ONNX values tapped in the reference, in the order of the backbone's layer names: the four stage outputs (the
    /// last ReLU of each stage) and the final average pool, the graph's own output.
    /// </summary>
    public static readonly string[] ReferenceOutputs =
        ["ReLU283_Output_0", "ReLU315_Output_0", "ReLU347_Output_0", "ReLU393_Output_0", "Pooling395_Output_0"];

    private readonly Lazy<InferenceSession> _reference;

    public ResNet18Fixture()
    {
        Backbone = (ResNet18Backbone)AnomalyClip.Backbones.Backbone.ResNet18(dtype: TorchSharp.torch.ScalarType.Float32);
        var decoder = new ImageDecoder();
        Images =
        [
            decoder.Decode(Path.Combine(Golden.Samples, "hazelnut_toy", "test", "colour", "00.png")),
            decoder.Decode(Path.Combine(Golden.Samples, "paper_bdp01", "test", "good", "PA_BDP01_TL_S_ND_02_3.png")),
            decoder.Decode(Path.Combine(Golden.Samples, "hazelnut_toy", "train", "good", "01.png")),
        ];
        _reference = new Lazy<InferenceSession>(() => OnnxRuntimeReference.Session(
            OnnxRuntimeReference.WithOutputs(ModelProto.Parser.ParseFromFile(ModelPath), ReferenceOutputs)));
    }

    /// <summary>ONNX Runtime on the same ResNet18.onnx, dynamic [N,3,H,W], with <see cref="ReferenceOutputs"/>.</summary>
    public InferenceSession Reference => _reference.Value;

    internal ResNet18Backbone Backbone { get; }

    /// <summary>Real sample images: a 512 px hazelnut (defect), a 128 px paper patch, a 512 px normal hazelnut.</summary>
    public IReadOnlyList<DecodedImage> Images { get; }

    /// <summary>The model file the backbone read.</summary>
    public string ModelPath => Backbone.Files.Model;

    /// <summary>The preprocessing file the backbone read.</summary>
    public string PreprocessPath => Backbone.Files.Preprocess;

    public void Dispose()
    {
        Backbone.Dispose();
        if (_reference.IsValueCreated) _reference.Value.Dispose();
    }
}

/// <summary>Shares one <see cref="ResNet18Fixture"/> across the backbone test classes.</summary>
[CollectionDefinition(Name)]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
    public const string Name = "ResNet18";
}
