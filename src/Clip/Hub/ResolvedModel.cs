using AnomalyClip.Clip.Weights;
namespace AnomalyClip.Clip.Hub;

/// <summary>A model found on disk by <see cref="ModelResolver"/>: where its weight, config and tokenizer files are.</summary>
public sealed record ResolvedModel
{
    /// <summary>Absolute path of the folder holding the files (for hub models, the cache snapshot folder).</summary>
    public required string Directory { get; init; }

    /// <summary>Absolute path of the weight file.</summary>
    public required string WeightsPath { get; init; }

    /// <summary>How the weight file is encoded, judged by its name (<see cref="WeightFile.Load"/> decides by content).</summary>
    public required WeightFormat WeightFormat { get; init; }

    /// <summary>
    /// Absolute path of the config: <c>open_clip_config.json</c>, or <c>config.json</c> when the weights are a
    /// transformers CLIP folder's (<c>model.safetensors</c>, <c>model.safetensors.index.json</c>,
    /// <c>pytorch_model.bin</c>). Always set for hub models; null only for a local folder or weight file that has no
    /// such config beside it (the caller must then know or infer the architecture another way).
    /// </summary>
    public required string? ConfigPath { get; init; }

    /// <summary>Absolute paths of the tokenizer files present beside the weights (possibly none).</summary>
    public required IReadOnlyList<string> TokenizerFiles { get; init; }

    /// <summary>Where the files came from.</summary>
    public required ModelSource Source { get; init; }

    /// <summary>The Hugging Face repo id (<c>org/name</c>); null for a local path.</summary>
    public string? RepoId { get; init; }

    /// <summary>The 40-hex commit of the repo snapshot; null for a local path.</summary>
    public string? Commit { get; init; }

    /// <summary>The OpenCLIP name and pretrained tag the request named, if it used one (e.g. ViT-L-14-336 / openai).</summary>
    public PretrainedModel? Pretrained { get; init; }
}
