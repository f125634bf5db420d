using AnomalyClip.Clip.Config;
using AnomalyClip.Clip.Hub;
using AnomalyClip.Clip.Tokenization;
using AnomalyClip.Clip.Weights;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Model;

public sealed partial class ClipModel
{
    /// <summary>
    /// Loads a CLIP model by name or path: a local model folder or weight file, a model id resolved in the Hugging
    /// Face hub cache (HF_HOME / HF_HUB_CACHE, so weights a Python user downloaded are reused), or a download from
    /// the hub (see <see cref="ModelResolver"/>). Any format <see cref="WeightFile"/> reads works: an OpenCLIP folder,
    /// a transformers CLIP folder (<c>config.json</c> + <c>model.safetensors</c>, a shard index or
    /// <c>pytorch_model.bin</c>), or a weight file alone. Without a config beside the weights the architecture is
    /// inferred from the tensor shapes as OpenAI's loader does (<see cref="ModelConfigInference"/>: QuickGELU, heads of
    /// width 64), which fits OpenAI's <c>.pt</c> files. The model always gets a <see cref="Tokenizer"/>, the first of:
    /// the model folder's own tokenizer files (open_clip's <c>bpe_simple_vocab_16e6.txt.gz</c>, else Hugging Face
    /// <c>vocab.json</c> + <c>merges.txt</c>), <see cref="ClipLoadOptions.TokenizerFile"/>, and
    /// <see cref="ClipTokenizer.Default"/> (the CLIP BPE embedded in this library), so a Hugging Face cache folder
    /// or an OpenCLIP checkpoint without tokenizer files needs no tokenizer file.
    /// </summary>
    /// <param name="nameOrPath">Folder, weight file, repo id ("timm/vit_large_patch14_clip_336.openai", "hf-hub:...") or
    /// OpenCLIP name ("ViT-L-14-336", "ViT-B-16/laion2b_s34b_b88k").</param>
    /// <param name="device">Target device (CPU when null).</param>
    /// <param name="options">Image size, activation override, dtype, tokenizer file for folders without one.</param>
    /// <param name="resolve">Hub settings (endpoint, cache, offline, token); the environment's when null.</param>
    /// <param name="progress">Download progress, if a download happens.</param>
    /// <exception cref="ModelLoadException">Missing, corrupt or mismatching files (a tokenizer file included, and a
    /// folder holding only one of vocab.json / merges.txt), or a failed download.</exception>
    public static ClipModel Load(string nameOrPath, Device? device = null, ClipLoadOptions? options = null, ResolveOptions? resolve = null,
        IProgress<DownloadProgress>? progress = null)
    {
        options ??= ClipLoadOptions.Default;
        var resolved = ModelResolver.Resolve(nameOrPath, resolve, progress);
        var config = ReadConfig(resolved);
        var sd = WeightFile.Load(resolved.WeightsPath);
        ClipModel model;
        try
        {
            config ??= ModelConfigInference.FromStateDict(sd.ToDictionary(kv => kv.Key, kv => kv.Value.shape), resolved.WeightsPath);
            model = Build(config, sd, resolved.WeightsPath, options, device, releaseBound: true);
        }
        catch (ModelLoadException ex) when (resolved.ConfigPath is { } configPath && ex.FilePath == resolved.WeightsPath)
        {
            // A shape mismatch is as likely a wrong config as wrong weights: name both files.
            throw new ModelLoadException(resolved.WeightsPath, $"{ex.Message[(ex.FilePath.Length + 2)..]} (architecture from {configPath})", ex);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        try
        {
            model.Tokenizer = ClipTokenizer.FromModelFolder(resolved.Directory, options.TokenizerFile);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>The config file's architecture, the known architecture a pretrained name implies, or null (infer it).</summary>
    private static ClipModelConfig? ReadConfig(ResolvedModel resolved)
    {
        var name = NameOf(resolved);
        if (resolved.ConfigPath is string path)
        {
            var cfg = Path.GetFileName(path) == ModelConfigReader.HuggingFaceConfigFile
                ? ModelConfigReader.ReadHuggingFace(path)
                : ModelConfigReader.ReadOpenClip(path);
            return cfg with { Name = name };
        }
        if (resolved.Pretrained is { } p) return ClipModelConfigs.Get(p.Tag == "openai" ? p.Name + "-quickgelu" : p.Name) with { Name = name };
        return null;
    }

    private static string NameOf(ResolvedModel resolved) =>
        resolved.Pretrained?.Name ?? resolved.RepoId ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(resolved.Directory));
}
