using AnomalyClip.Backbones.Onnx;
using AnomalyClip.Backbones.ResNet;
using Onnx;
using Xunit;

namespace AnomalyClip.Tests.Backbones;

/// <summary>What the graph walk finds in the package's ResNet18.onnx (facts checked independently, see notes).</summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNetGraphReaderTests(ResNet18Fixture fixture)
{
    private ResNetSpec Read() => ResNetGraphReader.Read(OnnxModelFile.Read(fixture.ModelPath));

    [Fact]
    public void Topology_IsTheCntkResNet18()
    {
        ResNetSpec spec = Read();
        Assert.Equal("Input247", spec.InputName);
        Assert.Equal("Pooling395_Output_0", spec.OutputName);
        Assert.Equal([2, 2, 2, 3], spec.Stages.Select(s => s.Blocks.Count));
        Assert.Equal([64, 128, 256, 512], spec.Stages.Select(s => s.Channels));
        Assert.Equal(["ReLU283_Output_0", "ReLU315_Output_0", "ReLU347_Output_0", "ReLU393_Output_0"],
            spec.Stages.Select(s => s.OutputName));
        // A projection exactly where the width changes, identity shortcuts elsewhere.
        Assert.Equal([false, false, true, false, true, false, true, false, false],
            spec.Stages.SelectMany(s => s.Blocks).Select(b => b.Projection is not null));
        Assert.All(spec.Stages.SelectMany(s => s.Blocks).SelectMany(Convs), c => Assert.Equal(1e-5, c.Norm.Epsilon, 1e-9));
    }

    [Fact]
    public void Padding_IsTheExportsAsymmetricSamePadding()
    {
        ResNetSpec spec = Read();
        Assert.Equal(new Padding(3, 3, 2, 2), spec.Stem.Padding);
        Assert.Equal([2L, 2], spec.Stem.Stride);
        Assert.Equal(new Padding(1, 1, 0, 0), spec.MaxPool.Padding);
        Assert.Equal([3L, 3], spec.MaxPool.Kernel);
        Assert.Equal([7L, 7], spec.AveragePool.Kernel);
        Assert.False(spec.AveragePool.CountIncludePad);
        foreach (BlockSpec block in spec.Stages.SelectMany(s => s.Blocks))
        {
            bool strided = block.First.Stride[0] == 2;
            Assert.Equal(strided ? new Padding(1, 1, 0, 0) : new Padding(1, 1, 1, 1), block.First.Padding);
            Assert.Equal(new Padding(1, 1, 1, 1), block.Second.Padding);
            Assert.Equal(strided, block.Projection is not null);
            if (block.Projection is { } p)
            {
                Assert.Equal(Padding.None, p.Padding);
                Assert.Equal([p.OutChannels, p.InChannels, 1L, 1L], p.Shape);
            }
        }
    }

    // CNTK emits each stage's projection before the block's first conv; reading must follow the data, not the order.
    [Fact]
    public void Walk_DoesNotDependOnNodeOrder()
    {
        ResNetSpec expected = Read();
        ModelProto model = ModelProto.Parser.ParseFromFile(fixture.ModelPath);
        Assert.Equal("Convolution295", model.Graph.Node.First(n => n.OpType == "Conv" && n.Input[0] == "ReLU283_Output_0").Name);
        var reversed = model.Graph.Node.Reverse().ToList();
        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(reversed);

        ResNetSpec spec = ResNetGraphReader.Read(new OnnxGraph("reversed", model.Graph));
        BlockSpec first = spec.Stages[1].Blocks[0];
        Assert.Equal("Convolution285", first.First.Name);
        Assert.Equal("Convolution295", first.Projection!.Name);
        Assert.Equal(expected.Stages.SelectMany(s => s.Blocks).SelectMany(Convs).Select(c => c.Name),
            spec.Stages.SelectMany(s => s.Blocks).SelectMany(Convs).Select(c => c.Name));
        Assert.Equal(expected.Stages[3].Blocks[2].Second.Weight, spec.Stages[3].Blocks[2].Second.Weight);
    }

    private static IEnumerable<ConvSpec> Convs(BlockSpec b) =>
        b.Projection is null ? [b.First, b.Second] : [b.First, b.Second, b.Projection];
}
