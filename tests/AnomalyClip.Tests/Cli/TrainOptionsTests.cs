using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>train --init-adapter</c> and the checks of <c>--resume</c>.</summary>
public class TrainOptionsTests
{
    private static string[] TinyTrain(string saveDir, int epochs = 3) =>
    [
        "train", "--dataset", "meta", "--data-path", Golden.PathOf("dataset_train"), "--model-dir", Golden.TinyA,
        "--image-size", "48", "--taps", "1,2,3,4", "--batch-size", "4", "--epochs", epochs.ToString(), "--aug-rate", "0", "--dtype", "fp32", "--save-path", saveDir,
    ];

    [Fact]
    public void InitAdapterWithTheGoldenInitialWeightsReproducesTheGoldenThreeSteps()
    {
        // The golden training set has 4 images and the batch is 4, so every epoch is one Adam step on the same batch
        // (whose order does not change the mean losses): 3 epochs are APRIL-GAN's 3 steps.
        var dir = Directory.CreateTempSubdirectory("init-adapter-").FullName;
        var init = Path.Combine(dir, "init.safetensors");
        using (var golden = AdapterWeights.CreateNew(TinyAprilGan.Metadata))
        {
            using (no_grad())
                foreach (var (name, p) in golden.Projector.named_parameters()) p.copy_(Golden.AprilGan($"train/init/{name}"));
            golden.Save(init);
        }
        var (code, _, stderr) = InProcessCli.Run([.. TinyTrain(Path.Combine(dir, "run")), "--init-adapter", init]);
        Assert.True(code == 0, stderr);
        using var trained = AdapterWeights.Load(Path.Combine(dir, "run", "epoch_3.safetensors"));
        const double lr = 1e-3;
        foreach (var (name, p) in trained.StateDict())
        {
            using var expected = Golden.AprilGan($"train/step3/param/{name}").to_type(ScalarType.Float64);
            using var fragile = Golden.AprilGan($"train/fragile_mask/{name}").to_type(ScalarType.Bool);
            using var diff = (p.to_type(ScalarType.Float64) - expected).abs();
            double robust = diff.masked_fill(fragile, 0).max().item<double>();
            double anywhere = diff.max().item<double>();
            Assert.True(robust <= 1e-5, $"{name}: {robust:E2} off the golden parameters after 3 steps");
            Assert.True(anywhere <= 2 * lr * 3, $"{name}: {anywhere:E2} off on a fragile element");
        }
        Assert.Contains(Path.GetFullPath(init), trained.Metadata.Training!["init_adapter"]);
    }

    [Fact]
    public void ResumeNeedsAMatchingCheckpointAndInitAdapterAFittingFile()
    {
        var dir = Directory.CreateTempSubdirectory("resume-checks-").FullName;
        var run = Path.Combine(dir, "run");
        var (code, _, stderr) = InProcessCli.Run([.. TinyTrain(run), "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains("no checkpoint to resume from", stderr);

        (code, _, stderr) = InProcessCli.Run(TinyTrain(run, epochs: 1));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = InProcessCli.Run([.. TinyTrain(run, epochs: 2), "--resume", "--learning-rate", "0.01"]);
        Assert.Equal(2, code);
        Assert.Contains("other settings (learning rate 0.001, now 0.01)", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:"));

        var otherTaps = Path.Combine(dir, "other.safetensors");
        using (var a = AdapterWeights.CreateNew(TinyAprilGan.Metadata with { Taps = [1, 2] })) a.Save(otherTaps);
        (code, _, stderr) = InProcessCli.Run([.. TinyTrain(Path.Combine(dir, "run2")), "--init-adapter", otherTaps]);
        Assert.Equal(2, code);
        Assert.Contains("does not fit the training: taps 1,2, training 1,2,3,4", stderr);
        (code, _, stderr) = InProcessCli.Run([.. TinyTrain(run), "--init-adapter", otherTaps, "--resume"]);
        Assert.Equal(2, code);
        Assert.Contains("give one of them", stderr);
    }
}
