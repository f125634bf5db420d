using AnomalyClip.Clip.Preprocessing;
using static TorchSharp.torch;

namespace AnomalyClip.Inference.Features;

/// <summary>
/// Where patch features come from: a backbone (CLIP's tapped tokens, a CNN's feature maps) with its own
/// preprocessing, seen as named layers of [N, G·G, C] features that memory banks store and search.
/// </summary>
public interface IPatchFeatureSource
{
    /// <summary>What the features are, for logs and results (e.g. "ViT-L-14-336 blocks 6,12,18,24").</summary>
    string Description { get; }

    /// <summary>Side in pixels of the square input the backbone runs at.</summary>
    int InputSize { get; }

    /// <summary>The device the features are computed on.</summary>
    Device Device { get; }

    /// <summary>Names of the layers <see cref="Extract"/> returns, in order.</summary>
    IReadOnlyList<string> LayerNames { get; }

    /// <summary>The distance the features are meant for.</summary>
    PatchMetric Metric { get; }

    /// <summary>Decoded images to the backbone's input [N, 3, S, S] on <see cref="Device"/>.</summary>
    Tensor Preprocess(IReadOnlyList<DecodedImage> images);

    /// <summary>Patch features of preprocessed images [N, 3, S, S]; the caller disposes the result.</summary>
    PatchFeatures Extract(Tensor images);
}
