using AnomalyClip.Clip.Model;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Backbones;

/// <summary>
/// The ResNet-18 with bf16 convolutions (on request only: its default stays float32 on every CPU) against the
/// float32 one on real sample images: float32 feature maps out, each layer within a few percent of float32.
/// </summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNet18ReducedPrecisionTests(ResNet18Fixture fixture, ITestOutputHelper output)
{
    // bf16 keeps 8 mantissa bits: each conv rounds its input and weights by up to 2^-9, and the error compounds over
    // the 13 convolutions up to layer3. Measured 1.1–1.7 % on six bundled images with the stem in float32.
    private const double RelativeTolerance = 2.5e-2;

    [Fact]
    public void Bf16FeaturesAreFloat32MapsWithinAFewPercentOfFloat32()
    {
        using var bf16 = AnomalyClip.Backbones.Backbone.ResNet18(dtype: ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.Precision.DType);
        Assert.Equal(ScalarType.Float32, fixture.Backbone.Precision.DType);
        string[] layers = ["layer1", "layer2", "layer3"];
        using var scope = NewDisposeScope();
        var input = fixture.Backbone.Preprocess(fixture.Images);
        var exact = fixture.Backbone.Forward(input, layers);
        var reduced = bf16.Forward(input, layers);
        foreach (var layer in layers)
        {
            Assert.Equal(ScalarType.Float32, reduced[layer].dtype);
            Assert.Equal(exact[layer].shape, reduced[layer].shape);
            double relative = ((reduced[layer] - exact[layer]).norm() / exact[layer].norm()).item<float>();
            output.WriteLine($"{layer}: relative error {relative:E2} (tolerance {RelativeTolerance:E1})");
            Assert.True(relative < RelativeTolerance, $"{layer}: bf16 relative error {relative:E2}");
        }
    }

    [Fact]
    public void ANonFloatingDtypeIsRefusedBeforeAnyFileIsRead()
    {
        var e = Assert.Throws<ArgumentException>(() => AnomalyClip.Backbones.Backbone.ResNet18(modelPath: "/nonexistent/ResNet18.onnx", dtype: ScalarType.Int8));
        Assert.Contains("Int8", e.Message);
    }

    [Fact]
    public void TheDefaultIsFloat32WhateverTheCpu()
    {
        using var backbone = AnomalyClip.Backbones.Backbone.ResNet18(inputSize: 64);
        Assert.Equal(AnomalyClip.Backbones.Backbone.DefaultPrecision, backbone.Precision);
        Assert.Equal(ScalarType.Float32, backbone.Precision.DType);
    }
}
