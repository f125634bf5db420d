using System.Diagnostics;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Adapter.Prompts;
using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Trainer;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Training.Trainer;

/// <summary>Training runs on real images (data/samples) with the tiny model at 48 px.</summary>
public class AdapterTrainerTests
{
    private static readonly Lazy<AnomalyDataset> RealAd = new(() =>
        MvtecDataset.Load(Golden.Samples, new DatasetLoadOptions { Classes = ["paper_bdp01"] }));

    private static AnomalySample[] Samples => RealAd.Value.ClassNames.SelectMany(c => RealAd.Value.Test[c]).ToArray();

    private static AdapterTrainer Trainer(TextFeatures text, TrainingOptions options) =>
        new(TinyModels.AprilGan, text, TinyAprilGan.Metadata, options);

    private static Dictionary<string, float[]> Weights(AdapterWeights a) =>
        a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().data<float>().ToArray());

    private static string TempDir() => Directory.CreateTempSubdirectory("train-").FullName;

    [Fact]
    public void InterruptedAndResumedRunEndsWithTheUninterruptedWeights()
    {
        var options = new TrainingOptions(Epochs: 3, BatchSize: 8, MosaicProbability: 0.2);
        using var text = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var full = Trainer(text, options).Train(Samples, RealAd.Value, TempDir());
        using var fullAdapter = full.Adapter;

        var dir = TempDir();
        using var cts = new CancellationTokenSource();
        int stepsPerEpoch = (Samples.Length + 7) / 8;
        var stopInEpoch2 = new SyncProgress(p => { if (p.Epoch == 2 && p.Step == stepsPerEpoch / 2) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => Trainer(text, options).Train(Samples, RealAd.Value, dir, progress: stopInEpoch2, cancellationToken: cts.Token));
        Assert.True(File.Exists(Path.Combine(dir, "epoch_1.safetensors")));
        Assert.False(File.Exists(Path.Combine(dir, "epoch_2.safetensors")));

        var resumed = Trainer(text, options).Train(Samples, RealAd.Value, dir, resume: true);
        using var resumedAdapter = resumed.Adapter;
        var a = Weights(fullAdapter);
        foreach (var (k, v) in Weights(resumedAdapter)) Assert.Equal(a[k], v);
        Assert.Equal(full.History.Select(h => h.MeanLoss), resumed.History.Select(h => h.MeanLoss));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void TokenCacheGivesIdenticalWeights()
    {
        using var text = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var plain = new TrainingOptions(Epochs: 2, MosaicProbability: 0);
        using var a = Trainer(text, plain).Train(Samples, null, TempDir()).Adapter;
        using var b = Trainer(text, plain with { Cache = TokenCacheMode.Memory }).Train(Samples, null, TempDir()).Adapter;
        using var c = Trainer(text, plain with { Cache = TokenCacheMode.Disk, CacheDirectory = TempDir() }).Train(Samples, null, TempDir()).Adapter;
        var wa = Weights(a);
        foreach (var (k, v) in Weights(b)) Assert.Equal(wa[k], v);
        foreach (var (k, v) in Weights(c)) Assert.Equal(wa[k], v);
    }

    [Fact]
    public void EpochFilesAreLoadableAdaptersWithProvenance()
    {
        using var text = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var dir = TempDir();
        using var result = Trainer(text, new TrainingOptions(Epochs: 1, MosaicProbability: 0)).Train(Samples, null, dir).Adapter;
        using var loaded = AdapterWeights.Load(Path.Combine(dir, "epoch_1.safetensors"));
        Assert.Equal("1", loaded.Metadata.Training!["epoch"]);
        Assert.Equal([1, 2, 3, 4], loaded.Metadata.Taps);
        var log = File.ReadAllLines(Path.Combine(dir, "loss_log.csv"));
        Assert.Equal("epoch,steps,mean_loss,validation", log[0]);
        Assert.StartsWith("1,", log[1]);
    }

    [Fact]
    public void ImageLabelsOnlyTrainWithTheImageLevelTerm()
    {
        var root = TempDir();
        foreach (var (folder, src) in new[] { ("good", "good/000.png"), ("defect", "defect/000.png") })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
            File.Copy(Golden.PathOf("dataset_test", "bottle", "test", src), Path.Combine(root, folder, "000.png"));
        }
        var ds = FolderDataset.Load(root);
        var samples = ds.ClassNames.SelectMany(c => ds.Test[c]).ToArray();
        Assert.Contains(samples, s => s.IsAnomaly && s.MaskPath is null);
        using var text = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var r = Trainer(text, new TrainingOptions(Epochs: 2, BatchSize: 2, MosaicProbability: 0)).Train(samples, null, TempDir());
        using var adapter = r.Adapter;
        Assert.All(r.History, h => Assert.True(double.IsFinite(h.MeanLoss) && h.MeanLoss > 0));
        Assert.NotEqual(r.History[0].MeanLoss, r.History[1].MeanLoss);
    }

    [Fact]
    public void ValidationPicksTheBestEpoch()
    {
        using var text = new TextFeatures(TinyModels.AprilGan, TinyAprilGan.Tokenizer);
        var dir = TempDir();
        var scores = new Queue<double>([0.2, 0.9, 0.5]);
        using var a = Trainer(text, new TrainingOptions(Epochs: 3, MosaicProbability: 0)).Train(Samples, null, dir, validate: _ => scores.Dequeue()).Adapter;
        using var best = AdapterWeights.Load(Path.Combine(dir, "best.safetensors"));
        Assert.Equal("2", best.Metadata.Training!["epoch"]);
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
