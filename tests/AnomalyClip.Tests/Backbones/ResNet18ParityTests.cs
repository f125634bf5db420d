using AnomalyClip.Backbones.Preprocessing;
using AnomalyClip.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Backbones;

/// <summary>
/// The TorchSharp ResNet-18 against ONNX Runtime running the same ResNet18.onnx, on real sample images: every stage
/// output (layer2 = ReLU315, layer3 = ReLU347 among them) and the final average pool (Pooling395), at 224 and at sizes
/// that are not multiples of 32, where the export's asymmetric pads matter.
/// </summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNet18ParityTests
{
    private const string Layer2 = "ReLU315_Output_0";
    private const double Tolerance = 1e-4;

    // layer2, layer3 and pool are the agreed parity taps (1e-4). layer1 and layer4 are checked too, with room for their
    // float32 noise: layer4 reaches ~40 where the others stay under ~20, and both measured up to 9e-5.
    private static double ToleranceOf(string layer) => layer is "layer1" or "layer4" ? 2e-4 : Tolerance;

    private readonly ResNet18Fixture _fixture;
    private readonly ITestOutputHelper _output;

    public ResNet18ParityTests(ResNet18Fixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    // 227: odd side, so the stem conv [3,3,2,2] and the max-pool [1,1,0,0] each give one cell fewer than symmetric
    // padding would; 226: the max-pool sees an odd side. Both are sizes the exported graph runs at.
    [Theory]
    [InlineData(224)]
    [InlineData(226)]
    [InlineData(227)]
    public void Layers_MatchOnnxRuntime(int size)
    {
        using var scope = NewDisposeScope();
        Tensor input = Preprocess(size);
        var reference = OnnxRuntimeReference.Run(_fixture.Reference, input, ResNet18Fixture.ReferenceOutputs);
        var ours = _fixture.Backbone.Forward(input, _fixture.Backbone.LayerNames);

        for (int i = 0; i < ResNet18Fixture.ReferenceOutputs.Length; i++)
        {
            string layer = _fixture.Backbone.LayerNames[i];
            Compare(reference[ResNet18Fixture.ReferenceOutputs[i]], ours[layer], $"{layer} @{size}", ToleranceOf(layer));
        }
    }

    // At 250 the graph's layer3 cannot run (its input side is odd), but everything up to layer2 can, with the stem and
    // max-pool pads both mattering (125 → 62 cells).
    [Fact]
    public void Layer2_At250_MatchesOnnxRuntime()
    {
        using var scope = NewDisposeScope();
        Tensor input = Preprocess(250);
        using InferenceSession session = OnnxRuntimeReference.Session(
            OnnxRuntimeReference.WithOutputs(ModelProto.Parser.ParseFromFile(_fixture.ModelPath), Layer2));
        var reference = OnnxRuntimeReference.Run(session, input, Layer2);
        var ours = _fixture.Backbone.Forward(input, ["layer2"]);
        Assert.Equal([3L, 128, 31, 31], ours["layer2"].shape);
        Compare(reference[Layer2], ours["layer2"], "layer2 @250", Tolerance);
    }

    private Tensor Preprocess(int size)
    {
        var preprocessor = ResNetPreprocessor.Load(_fixture.PreprocessPath, size);
        return preprocessor.ToBatch(_fixture.Images, CPU);
    }

    private void Compare(Tensor expected, Tensor actual, string what, double tolerance)
    {
        using var diff = (actual - expected).abs();
        _output.WriteLine($"{what}: shape [{string.Join(",", actual.shape)}], max |ref| {expected.abs().max().item<float>():F3}, " +
                          $"max abs diff {diff.max().item<float>():E2}");
        TensorAssert.Close(expected, actual, tolerance, what);
    }
}
