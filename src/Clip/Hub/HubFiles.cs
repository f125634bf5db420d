using AnomalyClip.Clip.Weights;
namespace AnomalyClip.Clip.Hub;

/// <summary>
/// The file names OpenCLIP uses in its Hugging Face repos (spec/openclip.md §8), and those of a Hugging Face
/// transformers CLIP folder, in order of preference.
/// </summary>
internal static class HubFiles
{
    public const string Config = "open_clip_config.json";
    public const string SafeTensors = "open_clip_model.safetensors";
    public const string PyTorch = "open_clip_pytorch_model.bin";

    /// <summary>The transformers <c>CLIPConfig</c> that goes with <see cref="TransformersWeights"/>.</summary>
    public const string TransformersConfig = "config.json";

    /// <summary>Weight files, preferred first: safetensors loads without unpickling.</summary>
    public static readonly string[] Weights = [SafeTensors, PyTorch];

    /// <summary>A transformers <c>CLIPModel.save_pretrained</c> folder's weights, preferred first.</summary>
    public static readonly string[] TransformersWeights = ["model.safetensors", "model.safetensors.index.json", "pytorch_model.bin"];

    /// <summary>Optional tokenizer files: the HF BPE pair and OpenCLIP's own merges file.</summary>
    public static readonly string[] Tokenizer = ["vocab.json", "merges.txt", "bpe_simple_vocab_16e6.txt.gz"];

    /// <summary>
    /// True when <paramref name="path"/> is a file whose contents can be read: unlike <see cref="File.Exists"/>,
    /// a symlink whose target is gone (a cache blob deleted by hand) does not count.
    /// </summary>
    public static bool IsReadableFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return false;
        return info.LinkTarget is null || info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true };
    }

    /// <summary>
    /// The config file that describes <paramref name="weightsPath"/>: transformers' <c>config.json</c> for a file
    /// named as in a transformers folder, OpenCLIP's <c>open_clip_config.json</c> for any other name.
    /// </summary>
    public static string ConfigFor(string weightsPath) =>
        TransformersWeights.Contains(Path.GetFileName(weightsPath), StringComparer.Ordinal) ? TransformersConfig : Config;

    public static WeightFormat FormatOf(string path) =>
        path.EndsWith(".safetensors.index.json", StringComparison.OrdinalIgnoreCase) ? WeightFormat.ShardedSafeTensors
        : Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".safetensors" => WeightFormat.SafeTensors,
            ".bin" or ".pt" or ".pth" => WeightFormat.PyTorchCheckpoint,
            _ => throw new ModelLoadException(path,
                "not a known weight file type; expected .safetensors, a .safetensors.index.json shard index, or .bin/.pt/.pth (PyTorch)"),
        };
}
