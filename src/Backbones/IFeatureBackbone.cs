using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones;

/// <summary>
/// A pretrained CNN that turns images into named feature maps (no classifier). It owns its native memory (weights,
/// constants): dispose it when done.
/// </summary>
public interface IFeatureBackbone : IDisposable
{
    /// <summary>A short identifier of the network and its training data, e.g. <c>resnet18-imagenet</c>.</summary>
    string Name { get; }

    /// <summary>Side in pixels of the square input it runs at; <see cref="Preprocess"/> produces this size.</summary>
    int InputSize { get; }

    /// <summary>The TorchSharp device its weights live on, where inputs must be and outputs are.</summary>
    Device Device { get; }

    /// <summary>
    /// The precision its convolutions run at and why: Float32, or the bf16/fp16 it was asked for (activations,
    /// normalisation and the returned feature maps stay float32).
    /// </summary>
    ComputePrecision Precision { get; }

    /// <summary>The feature maps <see cref="Forward"/> can return, shallow to deep (for a ResNet: <c>layer1</c>..<c>layer4</c>, <c>pool</c>).</summary>
    IReadOnlyList<string> LayerNames { get; }

    /// <summary>Channel count of <paramref name="layer"/>.</summary>
    /// <exception cref="ArgumentException">The layer is not one of <see cref="LayerNames"/>.</exception>
    int Channels(string layer);

    /// <summary>
    /// Nominal stride of <paramref name="layer"/>: input pixels per feature cell (its map is about InputSize/stride on
    /// a side; exact sizes depend on padding).
    /// </summary>
    /// <exception cref="ArgumentException">The layer is not one of <see cref="LayerNames"/>.</exception>
    int Stride(string layer);

    /// <summary>
    /// Turns images (any size and mode) into exactly what the network expects: [N, 3, S, S] float32 on
    /// <see cref="Device"/>, S = <see cref="InputSize"/>, in list order. The caller disposes the tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    Tensor Preprocess(IReadOnlyList<DecodedImage> images);

    /// <summary>
    /// Runs the network on <paramref name="input"/> ([N, 3, H, W] float32 on <see cref="Device"/>, normally from
    /// <see cref="Preprocess"/>) without gradients, stopping after the deepest layer asked for, and returns each
    /// requested layer as [N, C, h, w]. Intermediate tensors are freed before it returns; the caller owns and disposes
    /// the returned ones.
    /// </summary>
    /// <exception cref="ArgumentException">No layer, an unknown layer, or an input of the wrong rank, channels, type or device.</exception>
    IReadOnlyDictionary<string, Tensor> Forward(Tensor input, IReadOnlyCollection<string> layers);
}
