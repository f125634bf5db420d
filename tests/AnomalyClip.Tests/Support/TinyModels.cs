using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Support;

/// <summary>The golden tiny-a CLIP, built once per configuration and shared by tests (never dispose).</summary>
public static class TinyModels
{
    private static readonly Lazy<ClipModel> UpstreamLazy = new(() => Build(Golden.TinyA, new ClipLoadOptions(DType: ScalarType.Float32)));
    private static readonly Lazy<ClipModel> AprilGanLazy = new(() => Build(Golden.TinyA, new ClipLoadOptions(48, Activation.Gelu, ScalarType.Float32)));

    /// <summary>tiny-a as upstream OpenCLIP runs it: QuickGELU (its config), native 32 px.</summary>
    public static ClipModel Upstream => UpstreamLazy.Value;

    /// <summary>tiny-a as APRIL-GAN runs it: exact GELU, 48 px (resized positional embedding).</summary>
    public static ClipModel AprilGan => AprilGanLazy.Value;

    /// <summary>Builds tiny-a from a folder's safetensors with the given options, on <paramref name="device"/> (CPU when null).</summary>
    public static ClipModel Build(string folder, ClipLoadOptions options, Device? device = null)
    {
        var path = Path.Combine(folder, "open_clip_model.safetensors");
        var sd = SafeTensors.Load(path);
        try
        {
            return ClipModel.FromStateDict(ModelConfigReader.ReadFolder(folder), sd, path, options, device);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }
}
