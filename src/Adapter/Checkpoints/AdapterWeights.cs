using System.Text.Json;
using AnomalyClip.Adapter.Projection;
using AnomalyClip.Clip;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Model;
using AnomalyClip.Clip.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Adapter.Checkpoints;

/// <summary>
/// A trained patch projector with its metadata. Native format: one safetensors file (fc.{i}.weight / fc.{i}.bias,
/// metadata JSON in the header). Official APRIL-GAN checkpoints (<c>torch.save({'trainable_linearlayer': ...})</c>)
/// are imported and exported.
/// </summary>
public sealed class AdapterWeights : IDisposable
{
    /// <summary>Key of the state dict inside APRIL-GAN's checkpoints.</summary>
    public const string AprilGanKey = "trainable_linearlayer";

    /// <summary>Wraps a projector and its metadata.</summary>
    public AdapterWeights(PatchProjector projector, AdapterMetadata metadata)
    {
        if (projector.Layers != metadata.Taps.Count || projector.InputWidth != metadata.InputWidth || projector.EmbedDim != metadata.EmbedDim)
            throw new ArgumentException($"projector ({projector.Layers} layers, {projector.InputWidth}→{projector.EmbedDim}) does not match its metadata ({metadata.Taps.Count} taps, {metadata.InputWidth}→{metadata.EmbedDim})");
        Projector = projector;
        Metadata = metadata;
    }

    /// <summary>The linear layers.</summary>
    public PatchProjector Projector { get; }

    /// <summary>What the layers were built for.</summary>
    public AdapterMetadata Metadata { get; }

    /// <summary>Creates freshly initialised layers (PyTorch's default Linear init) for training.</summary>
    public static AdapterWeights CreateNew(AdapterMetadata metadata, Device? device = null) =>
        new(new PatchProjector(metadata.InputWidth, metadata.EmbedDim, metadata.Taps.Count, device), metadata);

    /// <summary>
    /// Loads a checkpoint: the native safetensors format, or an APRIL-GAN <c>.pth</c>, whose metadata is not stored
    /// and comes from <paramref name="importAs"/> (the paper's ViT-L-14-336 setting when null; tap count and widths
    /// are taken from the file).
    /// </summary>
    /// <exception cref="AdapterLoadException">Missing, corrupt or inconsistent file.</exception>
    public static AdapterWeights Load(string path, Device? device = null, AdapterMetadata? importAs = null)
    {
        if (!File.Exists(path)) throw new AdapterLoadException(path, "adapter checkpoint not found");
        Dictionary<string, Tensor> sd;
        AdapterMetadata metadata;
        try
        {
            if (WeightFile.DetectFormat(path) == WeightFormat.SafeTensors)
            {
                var (_, header) = SafeTensors.ReadHeader(path);
                sd = SafeTensors.Load(path);
                metadata = header.TryGetValue(AdapterMetadata.HeaderKey, out var json)
                    ? AdapterMetadata.FromJson(json)
                    : Infer(importAs ?? AdapterMetadata.Paper, sd, path);
            }
            else
            {
                sd = PyTorchCheckpoint.LoadStateDict(path, AprilGanKey);
                metadata = Infer(importAs ?? AdapterMetadata.Paper, sd, path);
            }
        }
        catch (ModelLoadException ex)
        {
            throw new AdapterLoadException(path, ex.Message, ex);
        }
        catch (JsonException ex)
        {
            throw new AdapterLoadException(path, $"invalid adapter metadata: {ex.Message}", ex);
        }
        try
        {
            return FromStateDict(sd, metadata, path, device);
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
    }

    /// <summary>Saves the native format (safetensors + metadata JSON), atomically.</summary>
    public void Save(string path) =>
        SafeTensors.Save(path, StateDict(), new Dictionary<string, string> { [AdapterMetadata.HeaderKey] = Metadata.ToJson(), ["format"] = "pt" });

    /// <summary>
    /// Exports APRIL-GAN's format, <c>torch.save({'trainable_linearlayer': state_dict})</c>, loadable by the official
    /// <c>test.py</c> (metadata is not part of that format).
    /// </summary>
    public void ExportAprilGan(string path) =>
        TorchSaveWriter.Save(path, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { [AprilGanKey] = StateDict() });

    /// <summary>The layers' tensors keyed fc.{i}.weight / fc.{i}.bias (views of the live parameters).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() =>
        Projector.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>
    /// Checks that these layers fit <paramref name="clip"/>: token width, embedding size, tap range and activation.
    /// </summary>
    /// <exception cref="AdapterLoadException">They do not.</exception>
    public void EnsureFits(ClipModel clip, string source)
    {
        var problems = new List<string>();
        if (Metadata.InputWidth != clip.Config.Vision.Width) problems.Add($"adapter takes width {Metadata.InputWidth}, backbone tokens have {clip.Config.Vision.Width}");
        if (Metadata.EmbedDim != clip.Config.EmbedDim) problems.Add($"adapter projects to {Metadata.EmbedDim}, backbone embedding is {clip.Config.EmbedDim}");
        var bad = Metadata.Taps.Where(t => t < 1 || t > clip.Visual.Layers).ToArray();
        if (bad.Length > 0) problems.Add($"taps {string.Join(",", bad)} outside the backbone's blocks 1..{clip.Visual.Layers}");
        if (Metadata.ActivationKind != clip.Config.Activation)
            problems.Add($"adapter was trained on {Metadata.ActivationKind} features, the model runs {clip.Config.Activation} (load it with adapter.Metadata.ToLoadOptions())");
        if (problems.Count > 0) throw new AdapterLoadException(source, "adapter does not fit the backbone: " + string.Join("; ", problems));
    }

    private static AdapterWeights FromStateDict(Dictionary<string, Tensor> sd, AdapterMetadata metadata, string path, Device? device)
    {
        var projector = new PatchProjector(metadata.InputWidth, metadata.EmbedDim, metadata.Taps.Count);
        try
        {
            var expected = projector.state_dict();
            var missing = expected.Keys.Where(k => !sd.ContainsKey(k)).ToList();
            var unexpected = sd.Keys.Where(k => !expected.ContainsKey(k)).ToList();
            var misShaped = expected.Where(kv => sd.TryGetValue(kv.Key, out var v) && !v.shape.SequenceEqual(kv.Value.shape))
                .Select(kv => $"{kv.Key} file [{string.Join(",", sd[kv.Key].shape)}] expected [{string.Join(",", kv.Value.shape)}]").ToList();
            if (missing.Count + unexpected.Count + misShaped.Count > 0)
                throw new AdapterLoadException(path, "adapter weights do not match their metadata:"
                    + (missing.Count > 0 ? " missing " + string.Join(", ", missing) + ";" : "")
                    + (unexpected.Count > 0 ? " unexpected " + string.Join(", ", unexpected) + ";" : "")
                    + (misShaped.Count > 0 ? " mis-shaped " + string.Join(", ", misShaped) : ""));
            using (no_grad())
            {
                foreach (var (key, param) in expected) param.copy_(sd[key].to_type(param.dtype));
            }
            var nonFinite = expected.Where(kv => !kv.Value.isfinite().all().item<bool>()).Select(kv => kv.Key).ToList();
            if (nonFinite.Count > 0) throw new AdapterLoadException(path, $"adapter weights hold NaN or infinite values ({string.Join(", ", nonFinite)})");
            if (device is not null) projector.to(device);
            return new AdapterWeights(projector, metadata);
        }
        catch
        {
            projector.Dispose();
            throw;
        }
    }

    // APRIL-GAN files carry no metadata: layer count and widths come from the tensors, the rest from the caller.
    private static AdapterMetadata Infer(AdapterMetadata template, Dictionary<string, Tensor> sd, string path)
    {
        int layers = 0;
        while (sd.ContainsKey($"fc.{layers}.weight")) layers++;
        if (layers == 0) throw new AdapterLoadException(path, "no fc.0.weight: not an APRIL-GAN linear-layer checkpoint");
        var w = sd["fc.0.weight"];
        if (w.dim() != 2) throw new AdapterLoadException(path, $"fc.0.weight has shape [{string.Join(",", w.shape)}], expected [E, W]");
        if (template.Taps.Count != layers)
            throw new AdapterLoadException(path, $"the file has {layers} linear layers but {template.Taps.Count} taps ({string.Join(",", template.Taps)}) were given; give one tap per layer");
        return template with { InputWidth = (int)w.shape[1], EmbedDim = (int)w.shape[0] };
    }

    /// <inheritdoc />
    public void Dispose() => Projector.Dispose();
}
