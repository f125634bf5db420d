namespace AnomalyClip.Clip.Hub;

/// <summary>
/// Turns a model name or path into local files. In order:
/// <list type="number">
/// <item>an existing folder (holding <c>open_clip_model.safetensors</c> or <c>open_clip_pytorch_model.bin</c>, and
/// usually <c>open_clip_config.json</c>) or a weight file path;</item>
/// <item>a model id - a Hugging Face repo id (<c>org/name</c>, optionally prefixed <c>hf-hub:</c>) or a known OpenCLIP
/// name with an optional tag (<c>ViT-L-14-336</c>, <c>ViT-B-16/laion2b_s34b_b88k</c>; see <see cref="PretrainedModels"/>)
/// - looked up in the Hugging Face hub cache without network access, so files a Python user already downloaded are
/// reused;</item>
/// <item>otherwise, unless offline, downloaded from the hub into that cache (see <see cref="RepoCache"/> for the layout).</item>
/// </list>
/// </summary>
public static class ModelResolver
{
    /// <summary>
    /// Finds or downloads the files of <paramref name="nameOrPath"/>. Blocks until done; see <see cref="ResolveAsync"/>.
    /// </summary>
    /// <param name="nameOrPath">A folder, a weight file, a Hugging Face repo id, or an OpenCLIP name[/tag].</param>
    /// <param name="options">Endpoint, cache, offline mode and so on; null reads the Hugging Face environment variables.</param>
    /// <param name="progress">Receives download progress, if any file has to be downloaded (e.g. <see cref="ConsoleProgress"/>).</param>
    /// <param name="ct">Cancels a download; a partial file is kept for resuming.</param>
    /// <exception cref="ModelLoadException">The model cannot be found or downloaded; the message says which file and why.</exception>
    public static ResolvedModel Resolve(string nameOrPath, ResolveOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default) =>
        // Task.Run keeps the asynchronous HTTP code off any synchronisation context the caller may have.
        Task.Run(() => ResolveAsync(nameOrPath, options, progress, ct), ct).GetAwaiter().GetResult();

    /// <summary>Finds or downloads the files of <paramref name="nameOrPath"/>; the parameters are those of <see cref="Resolve"/>.</summary>
    /// <exception cref="ModelLoadException">The model cannot be found or downloaded; the message says which file and why.</exception>
    public static async Task<ResolvedModel> ResolveAsync(string nameOrPath, ResolveOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        options ??= ResolveOptions.Default;
        var reference = ModelReference.Parse(nameOrPath, HubSettings.HomeDirOf(options));
        if (reference.LocalPath is { } local) return LocalModel.Resolve(local);
        var settings = HubSettings.From(options);

        var cache = new RepoCache(settings.CacheDir, reference.RepoId!);
        var commit = cache.CommitOf(settings.Revision);
        var missing = new List<string> { $"refs/{settings.Revision}" };
        if (commit is not null && cache.TryDescribe(commit, ModelSource.Cache, reference.Pretrained, out missing) is { } cached)
            return cached;
        if (settings.Offline)
            throw new ModelLoadException(cache.RepoDir,
                $"{cache.RepoId} (revision {settings.Revision}) is not in the Hugging Face cache and network access is off " +
                $"(HF_HUB_OFFLINE or ResolveOptions.Offline); missing: {string.Join(", ", missing)}. " +
                "Resolve it once online, or pass the path of a folder holding the files.");
        return await DownloadAsync(settings, cache, reference.Pretrained, progress, ct).ConfigureAwait(false);
    }

    private static async Task<ResolvedModel> DownloadAsync(HubSettings settings, RepoCache cache, PretrainedModel? pretrained,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        using var client = new HubClient(settings);
        var repo = cache.RepoId;
        var config = await client.GetMetadataAsync(repo, settings.Revision, HubFiles.Config, ct).ConfigureAwait(false)
            ?? throw new ModelLoadException(client.ResolveUrl(repo, settings.Revision, HubFiles.Config).ToString(),
                $"{repo} has no {HubFiles.Config} (HTTP 404): not an OpenCLIP repo");
        // Later requests name the commit, so that all files come from one snapshot even if the branch moves meanwhile.
        var commit = config.Commit;
        HubFileMetadata? weights = null;
        foreach (var name in HubFiles.Weights)
            if ((weights = await client.GetMetadataAsync(repo, commit, name, ct).ConfigureAwait(false)) is not null) break;
        if (weights is null)
            throw new ModelLoadException(client.ResolveUrl(repo, commit, HubFiles.Weights[0]).ToString(),
                $"{repo} has neither {string.Join(" nor ", HubFiles.Weights)} (HTTP 404)");

        var files = new List<HubFileMetadata> { config, weights };
        if (settings.Options.DownloadTokenizerFiles)
            foreach (var name in HubFiles.Tokenizer)
                if (await client.GetMetadataAsync(repo, commit, name, ct).ConfigureAwait(false) is { } tokenizer) files.Add(tokenizer);

        string? weightsPath = null;
        foreach (var meta in files)
        {
            var path = cache.Find(commit, meta.FileName);
            if (path is null)
            {
                var blob = cache.BlobPath(meta.Etag);
                if (!File.Exists(blob))
                    await new BlobDownloader(client, settings, progress).DownloadAsync(meta, blob, ct).ConfigureAwait(false);
                path = cache.Link(commit, meta.FileName, meta.Etag);
            }
            if (meta == weights) weightsPath = path;
        }
        cache.WriteRef(settings.Revision, commit);
        return LocalModel.Describe(cache.SnapshotDir(commit), weightsPath!, HubFiles.FormatOf(weightsPath!), ModelSource.Download,
            repo, commit, pretrained);
    }
}
