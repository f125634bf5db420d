using AnomalyClip.Backbones.Preprocessing;
using AnomalyClip.Backbones.ResNet;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones;

/// <summary>The ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 behind <see cref="IFeatureBackbone"/>.</summary>
internal sealed class ResNet18Backbone : IFeatureBackbone
{
    private readonly ResNetNetwork _network;
    private readonly ResNetPreprocessor _preprocessor;
    private bool _disposed;

    public ResNet18Backbone(ResNetNetwork network, ResNetPreprocessor preprocessor, Device device, ComputePrecision precision, ResNet18Files files)
    {
        _network = network;
        _preprocessor = preprocessor;
        Device = device;
        Precision = precision;
        Files = files;
    }

    public string Name => "resnet18-imagenet";

    public int InputSize => _preprocessor.Size;

    public Device Device { get; }

    public ComputePrecision Precision { get; }

    public IReadOnlyList<string> LayerNames => ResNetNetwork.LayerNames;

    /// <summary>The ONNX files it was loaded from.</summary>
    internal ResNet18Files Files { get; }

    public int Channels(string layer) => _network.Channels[IndexOf(layer)];

    public int Stride(string layer) => _network.Strides[IndexOf(layer)];

    public Tensor Preprocess(IReadOnlyList<DecodedImage> images)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _preprocessor.ToBatch(images, Device);
    }

    public IReadOnlyDictionary<string, Tensor> Forward(Tensor input, IReadOnlyCollection<string> layers)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0) throw new ArgumentException("ask for at least one layer", nameof(layers));
        int[] indices = layers.Select(IndexOf).ToArray();
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException($"input must be [N, 3, H, W], got [{string.Join(", ", input.shape)}]", nameof(input));
        if (input.dtype != ScalarType.Float32)
            throw new ArgumentException($"input must be float32, got {input.dtype}", nameof(input));
        if (input.device_type != Device.type || input.device_index != Device.index)
            throw new ArgumentException($"input is on {input.device}, the backbone on {Device}", nameof(input));
        if (input.shape[2] < Backbone.MinimumResNetInputSize || input.shape[3] < Backbone.MinimumResNetInputSize)
            throw new ArgumentException($"input must be at least {Backbone.MinimumResNetInputSize} px on a side, got {input.shape[2]}x{input.shape[3]}", nameof(input));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor[] taps = _network.Run(input, indices.Max());
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (int i in indices.Distinct()) result[LayerNames[i]] = taps[i].MoveToOuterDisposeScope();
        return result;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _network.Dispose();
    }

    private int IndexOf(string layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        for (int i = 0; i < LayerNames.Count; i++)
            if (LayerNames[i] == layer) return i;
        throw new ArgumentException($"unknown layer '{layer}'; {Name} has {string.Join(", ", LayerNames)}", nameof(layer));
    }
}
