using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

public sealed partial class ClipModel
{
    /// <summary>
    /// Loads a CLIP model from a local model folder (config + weights).
    /// </summary>
    /// <param name="nameOrPath">A model folder.</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <param name="options">Image size, activation override, dtype.</param>
    /// <exception cref="ModelLoadException">Missing, corrupt or mismatching files.</exception>
    public static ClipModel Load(string nameOrPath, Device? device = null, ClipLoadOptions? options = null)
    {
        if (!Directory.Exists(nameOrPath)) throw new ModelLoadException(nameOrPath, "model folder not found");
        var config = ModelConfigReader.ReadFolder(nameOrPath);
        var weights = Path.Combine(nameOrPath, "open_clip_model.safetensors");
        var sd = SafeTensors.Load(weights);
        try
        {
            return FromStateDict(config, sd, weights, options, device);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }
}
