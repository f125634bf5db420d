using System.Text.Json;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Clip.IO;
using static TorchSharp.torch;

namespace AnomalyClip.Training.Trainer;

/// <summary>Mean losses of one finished epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Steps">Optimiser steps in it.</param>
/// <param name="MeanLoss">Mean total loss over its steps.</param>
/// <param name="Validation">Validation score after it (higher is better), if validation ran.</param>
public sealed record EpochRecord(int Epoch, int Steps, double MeanLoss, double? Validation);

/// <summary>
/// The resumable state after an epoch: layer weights, Adam's step and moments, and the history. One safetensors
/// file written atomically, so an interrupted run never leaves a half-written checkpoint.
/// </summary>
internal sealed record TrainingCheckpoint(int Epoch, long AdamStep, AdapterMetadata Metadata, TrainingOptions Options, IReadOnlyList<EpochRecord> History)
{
    public const string FileName = "checkpoint.safetensors";
    private const string HeaderKey = "anomalyclip.training";

    private sealed record Header(int Epoch, long AdamStep, string Metadata, TrainingOptions Options, EpochRecord[] History);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public void Save(string path, IReadOnlyDictionary<string, Tensor> weights, IReadOnlyDictionary<string, Tensor> expAvg, IReadOnlyDictionary<string, Tensor> expAvgSq)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in weights) tensors["adapter." + k] = v;
        foreach (var (k, v) in expAvg) tensors["adam.exp_avg." + k] = v;
        foreach (var (k, v) in expAvgSq) tensors["adam.exp_avg_sq." + k] = v;
        var header = new Header(Epoch, AdamStep, Metadata.ToJson(), Options, History.ToArray());
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [HeaderKey] = JsonSerializer.Serialize(header, Json) });
    }

    /// <summary>Reads a checkpoint: its state and tensors grouped as (weights, exp_avg, exp_avg_sq).</summary>
    /// <exception cref="InvalidDataException">The file is not a training checkpoint.</exception>
    public static (TrainingCheckpoint State, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> ExpAvg, Dictionary<string, Tensor> ExpAvgSq) Load(string path)
    {
        var (_, meta) = SafeTensors.ReadHeader(path);
        if (!meta.TryGetValue(HeaderKey, out var json)) throw new InvalidDataException($"{path}: not an AnomalyClip training checkpoint");
        var h = JsonSerializer.Deserialize<Header>(json, Json) ?? throw new InvalidDataException($"{path}: empty checkpoint header");
        var all = SafeTensors.Load(path);
        Dictionary<string, Tensor> Group(string prefix) => all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        var state = new TrainingCheckpoint(h.Epoch, h.AdamStep, AdapterMetadata.FromJson(h.Metadata), h.Options, h.History);
        return (state, Group("adapter."), Group("adam.exp_avg."), Group("adam.exp_avg_sq."));
    }
}
