using AnomalyClip.Backbones;
using AnomalyClip.Clip.Preprocessing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Backbones;

/// <summary>The <see cref="IFeatureBackbone"/> contract of the ResNet-18: names, shapes, ownership of tensors, argument checks.</summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNet18BackboneTests(ResNet18Fixture fixture)
{
    private IFeatureBackbone Backbone => fixture.Backbone;

    [Fact]
    public void Describes_ItsLayers()
    {
        Assert.Equal("resnet18-imagenet", Backbone.Name);
        Assert.Equal(224, Backbone.InputSize);
        Assert.Equal(DeviceType.CPU, Backbone.Device.type);
        Assert.Equal(["layer1", "layer2", "layer3", "layer4", "pool"], Backbone.LayerNames);
        Assert.Equal([64, 128, 256, 512, 512], Backbone.LayerNames.Select(Backbone.Channels));
        Assert.Equal([4, 8, 16, 32, 32], Backbone.LayerNames.Select(Backbone.Stride));
        Assert.Throws<ArgumentException>(() => Backbone.Channels("fc"));
        Assert.Throws<ArgumentException>(() => Backbone.Stride("Layer1"));
    }

    // 250 and 260 are sizes the exported graph itself cannot run (an odd stage input): the main path is padded to
    // meet the projection, so layer1 is floor(S/4) and each later stage halves it rounding up; pool is layer4 − 6.
    [Theory]
    [InlineData(224, new[] { 56, 28, 14, 7, 1 })]
    [InlineData(227, new[] { 56, 28, 14, 7, 1 })]
    [InlineData(250, new[] { 62, 31, 16, 8, 2 })]
    [InlineData(260, new[] { 65, 33, 17, 9, 3 })]
    [InlineData(320, new[] { 80, 40, 20, 10, 4 })]
    [InlineData(64, new[] { 16, 8, 4, 2, 1 })]
    public void Forward_GivesEachLayerAtItsStride(int size, int[] sides)
    {
        using var scope = NewDisposeScope();
        var input = randn(2, 3, size, size) * 50;
        var layers = Backbone.Forward(input, Backbone.LayerNames);
        for (int i = 0; i < sides.Length; i++)
        {
            string name = Backbone.LayerNames[i];
            Assert.Equal([2L, Backbone.Channels(name), sides[i], sides[i]], layers[name].shape);
            Assert.Equal(ScalarType.Float32, layers[name].dtype);
        }
    }

    [Fact]
    public void Forward_ReturnsOnlyWhatWasAsked_AndLeavesNoTensorsBehind()
    {
        using var input = Backbone.Preprocess([fixture.Images[1]]);
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var layers = Backbone.Forward(input, ["layer3", "layer1"]);
        Assert.Equal(["layer1", "layer3"], layers.Keys.Order());
        Assert.False(layers["layer1"].requires_grad);
        Assert.Equal(before + 2, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        foreach (var t in layers.Values) t.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Forward_ShallowRequest_MatchesTheSameLayerOfAFullRun()
    {
        using var scope = NewDisposeScope();
        var input = Backbone.Preprocess(fixture.Images);
        var shallow = Backbone.Forward(input, ["layer2"]);
        var full = Backbone.Forward(input, Backbone.LayerNames);
        Assert.True(shallow["layer2"].eq(full["layer2"]).all().item<bool>());
    }

    [Fact]
    public void Forward_SurvivesTheCallersDisposeScope()
    {
        Tensor kept;
        using (var scope = NewDisposeScope())
        {
            var input = Backbone.Preprocess([fixture.Images[1]]);
            kept = Backbone.Forward(input, ["pool"])["pool"].MoveToOuterDisposeScope();
        }
        Assert.False(kept.IsInvalid);
        Assert.Equal([1L, 512, 1, 1], kept.shape);
        kept.Dispose();
    }

    [Fact]
    public void Forward_RejectsBadArguments()
    {
        using var scope = NewDisposeScope();
        var good = zeros(1, 3, 64, 64);
        Assert.Throws<ArgumentException>(() => Backbone.Forward(good, []));
        Assert.Throws<ArgumentException>(() => Backbone.Forward(good, ["layer5"]));
        Assert.Throws<ArgumentException>(() => Backbone.Forward(zeros(1, 1, 64, 64), ["layer1"]));
        Assert.Throws<ArgumentException>(() => Backbone.Forward(zeros(3, 64, 64), ["layer1"]));
        Assert.Throws<ArgumentException>(() => Backbone.Forward(zeros(1, 3, 64, 64, dtype: ScalarType.Float64), ["layer1"]));
        Assert.Throws<ArgumentException>(() => Backbone.Forward(zeros(1, 3, 16, 64), ["layer1"]));
        Assert.Throws<ArgumentException>(() => Backbone.Preprocess([]));
    }

    [Fact]
    public void Factory_RejectsTinyInputSizes() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyClip.Backbones.Backbone.ResNet18(inputSize: 31));

    [Fact]
    public void Disposed_RefusesWork()
    {
        var backbone = AnomalyClip.Backbones.Backbone.ResNet18(inputSize: 64);
        Assert.Equal(64, backbone.InputSize);
        backbone.Dispose();
        backbone.Dispose();
        var image = new DecodedImage(8, 8, ImageMode.Grey, new byte[64]);
        Assert.Throws<ObjectDisposedException>(() => backbone.Preprocess([image]));
        using var input = zeros(1, 3, 64, 64);
        Assert.Throws<ObjectDisposedException>(() => backbone.Forward(input, ["layer1"]));
    }
}
