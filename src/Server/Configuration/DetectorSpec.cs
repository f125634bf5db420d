using System.Text.Json.Serialization;
using AnomalyClip.Clip.Model;

namespace AnomalyClip.Server.Configuration;

/// <summary>
/// How one served class's detector is built, as written in the server's JSON config (snake_case). Relative paths are
/// resolved against the config file's folder.
/// </summary>
/// <remarks>
/// <c>resnet18</c>: the offline ImageNet ResNet-18, few-shot only: <see cref="References"/> (k picked with the seeded
/// policy of <c>predict --reference</c>) or a saved <see cref="Bank"/>. <c>clip</c>: APRIL-GAN with
/// <see cref="Adapter"/> and CLIP <see cref="Model"/> (default: the adapter's backbone), zero-shot, or few-shot with
/// references or a bank.
/// </remarks>
public sealed record DetectorSpec
{
    /// <summary>The backbone names a spec may give.</summary>
    public static readonly IReadOnlyList<string> Backbones = [ResNet18, Clip];

    /// <summary>The offline ResNet-18 backbone.</summary>
    public const string ResNet18 = "resnet18";

    /// <summary>CLIP with APRIL-GAN's adapter.</summary>
    public const string Clip = "clip";

    /// <summary><c>resnet18</c> (default) or <c>clip</c>.</summary>
    public string Backbone { get; init; } = ResNet18;

    /// <summary>Few-shot: a folder of normal reference images (searched recursively).</summary>
    public string? References { get; init; }

    /// <summary>References picked from <see cref="References"/> (default 4).</summary>
    public int K { get; init; } = 4;

    /// <summary>Seed of the reference pick (default 42).</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Few-shot: a memory bank saved by <c>predict --save-bank</c>, instead of <see cref="References"/>.</summary>
    public string? Bank { get; init; }

    /// <summary>Thresholds JSON written by <c>anomalyclip calibrate</c> (image and pixel).</summary>
    public string? Thresholds { get; init; }

    /// <summary>
    /// Without <see cref="Thresholds"/>: a folder of normal images to calibrate thresholds on at start (the 0.99
    /// quantile of their scores and map pixels; the class's references are left out, as <c>calibrate --normals</c>).
    /// </summary>
    public string? CalibrationNormals { get; init; }

    /// <summary>Input side in pixels (resnet18: 224; clip: the adapter's).</summary>
    public int? ImageSize { get; init; }

    /// <summary>clip: the model folder, weight file, OpenCLIP name or hub repo id (default: the adapter's backbone).</summary>
    public string? Model { get; init; }

    /// <summary>clip: the adapter (native .safetensors or APRIL-GAN .pth).</summary>
    public string? Adapter { get; init; }

    /// <summary>This class's device (cpu, cuda, cuda:N); the server's <see cref="ServerOptions.Device"/> when null.</summary>
    public string? Device { get; init; }

    /// <summary>
    /// The compute dtype of the CLIP encoder or the ResNet-18's convolutions: <c>auto</c> (default: for CLIP
    /// <see cref="ComputePrecision.Auto"/>, bf16 where the device computes it natively, else fp32 on a CPU; for the
    /// ResNet-18 its own default, fp32), <c>fp32</c>, <c>fp16</c> or <c>bf16</c>.
    /// </summary>
    public string? Dtype { get; init; }

    /// <summary>The precision <see cref="Dtype"/> asks for on <paramref name="device"/>, or null when it names none.</summary>
    internal ComputePrecision? PrecisionOn(TorchSharp.torch.Device device) => ComputePrecision.Named(Dtype ?? "auto", device);

    /// <summary>Whether the detector is few-shot (has references or a bank).</summary>
    [JsonIgnore]
    public bool FewShot => References is not null || Bank is not null;
}
