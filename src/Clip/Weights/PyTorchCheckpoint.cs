using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Reads zip-format <c>torch.save</c> files (PyTorch ≥ 1.6: <c>open_clip_pytorch_model.bin</c>, training
/// checkpoints, APRIL-GAN's <c>.pth</c>) with a data-only pickle interpreter: only tensor, storage and
/// OrderedDict globals are accepted and nothing from the file is ever executed. Tensor views (storage offsets,
/// strides, storages shared between tensors) load exactly as saved. Legacy non-zip pickles are not supported.
/// </summary>
public static class PyTorchCheckpoint
{
    /// <summary>
    /// Loads the state dict pickled in <paramref name="path"/>: the top-level dict, or the dict stored under
    /// <paramref name="subKey"/> in it (e.g. <c>"state_dict"</c>, or APRIL-GAN's <c>"trainable_linearlayer"</c>).
    /// Tensors are on the CPU in their stored dtype; views of a shared storage stay views.
    /// </summary>
    /// <exception cref="ModelLoadException">
    /// The file is missing, truncated or corrupt, is a TorchScript archive, pickles a disallowed global, lacks
    /// <paramref name="subKey"/>, or the selected dict holds something other than tensors.
    /// </exception>
    public static Dictionary<string, Tensor> LoadStateDict(string path, string? subKey = null) => Load(path, subKey, preferStateDict: false);

    /// <summary>
    /// Loads a model's weights as <see cref="WeightFile"/> expects them: a training checkpoint's
    /// <c>state_dict</c> entry when the top-level dict has one (open_clip's <c>load_checkpoint</c> convention), else the top-level dict.
    /// </summary>
    internal static Dictionary<string, Tensor> LoadModelStateDict(string path) => Load(path, null, preferStateDict: true);

    private static Dictionary<string, Tensor> Load(string path, string? subKey, bool preferStateDict)
    {
        using var scope = NewDisposeScope();
        using var archive = TorchZipArchive.Open(path);
        if (archive.IsTorchScript)
            throw new ModelLoadException(path, "is a TorchScript archive (torch.jit.save), not a torch.save checkpoint; read it with TorchScriptArchive");
        var root = archive.Unpickle("data.pkl", new TorchPickleHost(archive, scriptClasses: false));
        var dict = root as PickleDict ?? throw new ModelLoadException(path, $"the pickled object is {PickleDict.Describe(root)}, not a dict");
        string where = "the top-level dict";
        if (preferStateDict && dict.TryGetValue("state_dict", out var nested) && nested is PickleDict) subKey = "state_dict";
        if (subKey is not null)
        {
            if (!dict.TryGetValue(subKey, out var inner))
                throw new ModelLoadException(path, $"the top-level dict has no entry '{subKey}' (it has: {KeyList(dict)})");
            dict = inner as PickleDict ?? throw new ModelLoadException(path, $"entry '{subKey}' is {PickleDict.Describe(inner)}, not a dict");
            where = $"entry '{subKey}'";
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in dict)
        {
            if (k is not string key || v is not Tensor t)
                throw new ModelLoadException(path,
                    $"{where} is not a state dict: key {PickleDict.Describe(k)} holds {PickleDict.Describe(v)} (top-level keys: {KeyList(root as PickleDict)})");
            result[key] = t;
        }
        foreach (var t in result.Values) t.MoveToOuterDisposeScope();
        return result;
    }

    private static string KeyList(PickleDict? d) =>
        d is null ? "none" : string.Join(", ", d.Keys.Take(8).Select(k => k is string s ? $"'{s}'" : PickleDict.Describe(k))) + (d.Count > 8 ? ", ..." : "");
}
