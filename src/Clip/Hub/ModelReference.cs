using System.Text.RegularExpressions;

namespace AnomalyClip.Clip.Hub;

/// <summary>What a <c>nameOrPath</c> string names: a local folder or file, or a Hugging Face repo.</summary>
internal sealed partial record ModelReference(string? LocalPath, string? RepoId, PretrainedModel? Pretrained)
{
    private const string HubPrefix = "hf-hub:";

    /// <summary>
    /// Order: <c>hf-hub:</c> prefix → repo; an existing folder or file → local; something that can only be a path
    /// → error; a known OpenCLIP name[/tag] → its repo; <c>org/name</c> → repo; anything else → error.
    /// </summary>
    public static ModelReference Parse(string nameOrPath, string? homeDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var text = nameOrPath.Trim();
        if (text.StartsWith(HubPrefix, StringComparison.OrdinalIgnoreCase))
            return new(null, ValidRepoId(text[HubPrefix.Length..].Trim().TrimEnd('/'), nameOrPath), null);

        var path = HubSettings.ExpandHome(text, homeDir);
        if (Directory.Exists(path) || HubFiles.IsReadableFile(path)) return new(Path.GetFullPath(path), null, null);
        if (CanOnlyBePath(text))
            throw new ModelLoadException(Path.GetFullPath(path), "no such folder or weight file");

        if (PretrainedModels.Find(text) is { } known) return new(null, known.RepoId, known);
        if (text.Count(c => c == '/') == 1) return new(null, ValidRepoId(text, nameOrPath), null);
        throw new ModelLoadException(nameOrPath,
            "not a local folder or file, a known OpenCLIP model name (" + string.Join(", ", PretrainedModels.Names) +
            "), nor a Hugging Face repo id (org/name)");
    }

    private static bool CanOnlyBePath(string text) =>
        Path.IsPathRooted(text) || text.StartsWith('.') || text.StartsWith('~') || text.Contains('\\')
        || text.Count(c => c == '/') > 1
        || Path.GetExtension(text).ToLowerInvariant() is ".safetensors" or ".bin" or ".pt" or ".pth";

    // The hub's rules (huggingface_hub validate_repo_id): word characters, '-', '.', no '--' or '..', at most 96
    // characters. Checking them also keeps the id from escaping the cache folder as a path.
    private static string ValidRepoId(string repoId, string original)
    {
        if (!RepoIdPattern().IsMatch(repoId) || repoId.Contains("--", StringComparison.Ordinal)
            || repoId.Contains("..", StringComparison.Ordinal) || repoId.Length > 96)
            throw new ModelLoadException(original, $"'{repoId}' is not a valid Hugging Face repo id (expected org/name)");
        return repoId;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    private static partial Regex RepoIdPattern();
}
