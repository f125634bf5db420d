using AnomalyClip.Clip.Weights;
namespace AnomalyClip.Clip.Hub;

/// <summary>
/// Resolution of a caller-given folder or weight file. A folder is an OpenCLIP folder when it holds
/// <c>open_clip_model.safetensors</c> or <c>open_clip_pytorch_model.bin</c> (config <c>open_clip_config.json</c>),
/// otherwise a transformers CLIP folder when it holds <c>model.safetensors</c>, <c>model.safetensors.index.json</c> or
/// <c>pytorch_model.bin</c> (config <c>config.json</c>); the first file found in that order is used. A weight file
/// path is used as given, with the config its name calls for (<see cref="HubFiles.ConfigFor"/>) when that sits beside it.
/// </summary>
internal static class LocalModel
{
    public static ResolvedModel Resolve(string path)
    {
        if (!Directory.Exists(path))
        {
            var dir = Path.GetDirectoryName(path)!;
            return Describe(dir, path, HubFiles.FormatOf(path), ModelSource.LocalPath);
        }
        var weights = HubFiles.Weights.Concat(HubFiles.TransformersWeights).Select(f => Path.Combine(path, f)).FirstOrDefault(HubFiles.IsReadableFile);
        if (weights is null)
        {
            var present = Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).Order().Take(20).ToList();
            throw new ModelLoadException(path,
                $"folder has no {string.Join(" or ", HubFiles.Weights)} (OpenCLIP), nor {string.Join(" or ", HubFiles.TransformersWeights)} (transformers) " +
                $"(it holds: {(present.Count == 0 ? "nothing" : string.Join(", ", present))}). " +
                "Pass the path of the weight file itself to load another file name.");
        }
        return Describe(path, weights, HubFiles.FormatOf(weights), ModelSource.LocalPath);
    }

    /// <summary>The model description for files in <paramref name="dir"/>; the config and tokenizer files are optional here.</summary>
    public static ResolvedModel Describe(string dir, string weights, WeightFormat format, ModelSource source,
        string? repoId = null, string? commit = null, PretrainedModel? pretrained = null)
    {
        var config = Path.Combine(dir, HubFiles.ConfigFor(weights));
        return new ResolvedModel
        {
            Directory = Path.GetFullPath(dir),
            WeightsPath = Path.GetFullPath(weights),
            WeightFormat = format,
            ConfigPath = HubFiles.IsReadableFile(config) ? Path.GetFullPath(config) : null,
            TokenizerFiles = HubFiles.Tokenizer.Select(f => Path.Combine(dir, f)).Where(HubFiles.IsReadableFile).Select(Path.GetFullPath).ToList(),
            Source = source,
            RepoId = repoId,
            Commit = commit,
            Pretrained = pretrained,
        };
    }
}
