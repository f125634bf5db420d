namespace AnomalyClip.Clip.Hub;

/// <summary>The file names OpenCLIP uses in its Hugging Face repos (spec/openclip.md §8), in order of preference.</summary>
internal static class HubFiles
{
    public const string Config = "open_clip_config.json";
    public const string SafeTensors = "open_clip_model.safetensors";
    public const string PyTorch = "open_clip_pytorch_model.bin";

    /// <summary>Weight files, preferred first: safetensors loads without unpickling.</summary>
    public static readonly string[] Weights = [SafeTensors, PyTorch];

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

    public static WeightFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => WeightFormat.SafeTensors,
        ".bin" or ".pt" or ".pth" => WeightFormat.PyTorch,
        _ => throw new ModelLoadException(path,
            "not a known weight file type; expected .safetensors, or .bin/.pt/.pth (PyTorch)"),
    };
}
