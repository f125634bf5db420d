using AnomalyClip.Backbones;
using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Support;

/// <summary>
/// The ResNet-18 backbone loaded once for the detector tests, handed out as non-owning views that count forward
/// passes (detectors dispose their backbone; these views leave the shared one alive).
/// </summary>
public static class SharedResNet18
{
    private static readonly Lazy<IFeatureBackbone> Backbone224 = new(() => Backbone.ResNet18(dtype: ScalarType.Float32));

    /// <summary>A fresh counting view of the shared 224 px backbone.</summary>
    public static CountingBackbone View() => new(Backbone224.Value);

    /// <summary>Forwards everything to the shared backbone, counts <see cref="Forward"/> calls, and does not dispose it.</summary>
    public sealed class CountingBackbone(IFeatureBackbone inner) : IFeatureBackbone
    {
        public int ForwardCalls { get; private set; }
        public long ImagesForwarded { get; private set; }
        public string Name => inner.Name;
        public int InputSize => inner.InputSize;
        public Device Device => inner.Device;
        public AnomalyClip.Clip.Model.ComputePrecision Precision => inner.Precision;
        public IReadOnlyList<string> LayerNames => inner.LayerNames;
        public int Channels(string layer) => inner.Channels(layer);
        public int Stride(string layer) => inner.Stride(layer);
        public Tensor Preprocess(IReadOnlyList<DecodedImage> images) => inner.Preprocess(images);

        public IReadOnlyDictionary<string, Tensor> Forward(Tensor input, IReadOnlyCollection<string> layers)
        {
            ForwardCalls++;
            ImagesForwarded += input.shape[0];
            return inner.Forward(input, layers);
        }

        public void Dispose()
        {
        }
    }
}
