using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Model;
using static TorchSharp.torch;

namespace AnomalyClip.Cli.Commands;

/// <summary>Resolves the model options shared by commands (<c>--model-dir</c>, <c>--model</c>, <c>--random-weights</c>).</summary>
internal static class ModelArguments
{
    public static ClipModel LoadOrRandom(string? modelDir, string arch, bool randomWeights, ClipLoadOptions options, Device device)
    {
        if (randomWeights || modelDir is null)
        {
            if (!randomWeights) throw new ArgumentException("give --model-dir DIR, or --random-weights to benchmark without weight files");
            return ClipModel.CreateRandom(ClipModelConfigs.Get(arch), options, device);
        }
        return ClipModel.Load(modelDir, device, options);
    }
}
