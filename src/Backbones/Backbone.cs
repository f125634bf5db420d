using AnomalyClip.Backbones.Onnx;
using AnomalyClip.Backbones.Preprocessing;
using AnomalyClip.Backbones.ResNet;
using AnomalyClip.Clip;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Backbones;

/// <summary>Factories for the pretrained backbones this library ships.</summary>
public static class Backbone
{
    /// <summary>What <see cref="ResNet18"/> runs at when no dtype is asked for, and why.</summary>
    public static ComputePrecision DefaultPrecision { get; } =
        new(ScalarType.Float32, "the ResNet-18 keeps fp32 unless asked: bf16 moved its test table on real images by up to 2.8 points");

    /// <summary>Smallest input side the ResNet accepts: every stage keeps at least one cell (stride 32).</summary>
    internal const int MinimumResNetInputSize = 32;

    /// <summary>
    /// The ImageNet ResNet-18 of the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT), no download:
    /// its ONNX weights are read into a TorchSharp network of the same topology (each BatchNorm as a per-channel scale
    /// and shift after its conv, the export's asymmetric padding kept), its preprocessing is the package's own (BGR
    /// 0..255 minus a mean image).
    /// </summary>
    /// <param name="device">Where weights and tensors live; CPU when null.</param>
    /// <param name="inputSize">
    /// Side of the square input in pixels (224 is what the network was trained at). At other sizes the mean image is
    /// resized bilinearly; where the side is not 32k..32k+3 the exported graph itself cannot run (its strided convs
    /// and projections disagree by one cell), and the main path gets one more end row/column, as CNTK's own padding
    /// would have given.
    /// </param>
    /// <param name="modelPath">
    /// ResNet18.onnx to use instead of the copy the build places next to the app
    /// (<c>DnnImageModels/ResNet18Onnx/ResNet18.onnx</c>, looked for beside the AnomalyClip.Backbones assembly, then
    /// in <see cref="AppContext.BaseDirectory"/>). Its ResNetPreprocess.onnx is looked for in the package layout next
    /// to it, beside it, then in those places.
    /// </param>
    /// <param name="dtype">
    /// The convolutions' dtype: Float32 (exact parity with ONNX Runtime, and the default: null), BFloat16 or Float16
    /// (the stem, activations and normalisation stay float32). Unlike CLIP's, this default does not follow
    /// <see cref="ComputePrecision.Auto"/>: bf16 features differ from float32 ones by 1–2 % and moved single figures of
    /// the <c>test</c> table on real images by up to 2.8 points, where the detector is already fast in float32.
    /// </param>
    /// <remarks>
    /// Layers: <c>layer1</c>..<c>layer4</c> are the four stage outputs (64, 128, 256, 512 channels; strides 4, 8, 16,
    /// 32); <c>pool</c> is the graph's own output, a 7×7 stride-1 average of layer4. That is global (1×1) for inputs up
    /// to 227 px (on a layer4 smaller than 7×7 the window shrinks to the map, where ONNX Runtime would refuse); larger
    /// inputs give (layer4 side − 6)² cells, e.g. 4×4 at 320.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/> is below 32.</exception>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not a floating-point compute dtype.</exception>
    /// <exception cref="ModelLoadException">A file is missing, truncated, not ONNX, or not this ResNet / its preprocessing.</exception>
    public static IFeatureBackbone ResNet18(Device? device = null, int inputSize = 224, string? modelPath = null, ScalarType? dtype = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, MinimumResNetInputSize);
        if (modelPath is not null) ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        device ??= CPU;
        var precision = dtype is ScalarType requested ? ComputePrecision.Requested(requested) : DefaultPrecision;
        ResNet18Files files = ResNet18Files.Locate(modelPath);
        ResNetSpec spec = ResNetGraphReader.Read(OnnxModelFile.Read(files.Model));
        ResNetPreprocessor preprocessor = ResNetPreprocessor.Load(files.Preprocess, inputSize);
        return new ResNet18Backbone(new ResNetNetwork(spec, device, precision.DType), preprocessor, device, precision, files);
    }
}
