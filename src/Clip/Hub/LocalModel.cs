namespace AnomalyClip.Clip.Hub;

/// <summary>Resolution of a caller-given folder or weight file.</summary>
internal static class LocalModel
{
    public static ResolvedModel Resolve(string path)
    {
        if (!Directory.Exists(path))
        {
            var dir = Path.GetDirectoryName(path)!;
            return Describe(dir, path, HubFiles.FormatOf(path), ModelSource.LocalPath);
        }
        var weights = HubFiles.Weights.Select(f => Path.Combine(path, f)).FirstOrDefault(HubFiles.IsReadableFile);
        if (weights is null)
        {
            var present = Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).Order().Take(20).ToList();
            throw new ModelLoadException(path,
                $"folder has no {string.Join(" or ", HubFiles.Weights)} (it holds: {(present.Count == 0 ? "nothing" : string.Join(", ", present))}). " +
                "Pass the path of the weight file itself to load another file name.");
        }
        return Describe(path, weights, HubFiles.FormatOf(weights), ModelSource.LocalPath);
    }

    /// <summary>The model description for files in <paramref name="dir"/>; the config and tokenizer files are optional here.</summary>
    public static ResolvedModel Describe(string dir, string weights, WeightFormat format, ModelSource source,
        string? repoId = null, string? commit = null, PretrainedModel? pretrained = null)
    {
        var config = Path.Combine(dir, HubFiles.Config);
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
