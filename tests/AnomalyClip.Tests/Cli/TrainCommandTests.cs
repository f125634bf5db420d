using System.Diagnostics;
using AnomalyClip.Adapter.Checkpoints;
using AnomalyClip.Tests.Support;
using Xunit;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip train</c> as a separate process, killed mid-run and resumed.</summary>
public class TrainCommandTests
{
    private static string[] TrainArgs(string saveDir) =>
    [
        "train", "--dataset", "mvtec", "--data-path", Golden.Samples, "--class-name", "hazelnut_toy",
        "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"),
        "--image-size", "48", "--taps", "1,2,3,4", "--epochs", "3", "--batch-size", "4", "--dtype", "fp32", "--save-path", saveDir,
    ];

    private static Process Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "anomalyclip.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        psi.Environment["CI"] = "true";
        return Process.Start(psi)!;
    }

    private static (int Code, string Output) Run(IEnumerable<string> args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void KilledRunResumesToTheUninterruptedWeights()
    {
        var reference = Directory.CreateTempSubdirectory("train-ref-").FullName;
        var (code, output) = Run(TrainArgs(reference));
        Assert.True(code == 0, output);

        var killed = Directory.CreateTempSubdirectory("train-kill-").FullName;
        using (var p = Start(TrainArgs(killed)))
        {
            // Kill once the first epoch is committed: the process dies somewhere in epoch 2 or 3.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!File.Exists(Path.Combine(killed, "checkpoint.safetensors")) && !p.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, "epoch_3.safetensors")), "the run finished before it could be killed");
        var (code2, output2) = Run([.. TrainArgs(killed), "--resume"]);
        Assert.True(code2 == 0, output2);

        using var a = AdapterWeights.Load(Path.Combine(reference, "epoch_3.safetensors"));
        using var b = AdapterWeights.Load(Path.Combine(killed, "epoch_3.safetensors"));
        var wa = a.StateDict();
        foreach (var (k, v) in b.StateDict()) TensorAssert.Close(wa[k], v, 0, k);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "loss_log.csv")), File.ReadAllText(Path.Combine(killed, "loss_log.csv")));
    }

    [Fact]
    public void BrokenDatasetIsExitCodeTwoWithTheFileNamed()
    {
        var root = Directory.CreateTempSubdirectory("train-bad-").FullName;
        var (code, output) = Run(["train", "--dataset", "mvtec", "--data-path", root, "--model-dir", Golden.TinyA, "--save-path", Path.Combine(root, "out")]);
        Assert.Equal(2, code);
        Assert.Contains(root, output);
    }
}

/// <summary>The end-to-end run on real images: train one epoch with validation, resume to a second, test.</summary>
public class TrainThenTestEndToEndTests
{
    [Fact]
    public void TrainResumeAndTestWriteTheTables()
    {
        var realAd = Golden.Samples;
        var dir = Directory.CreateTempSubdirectory("e2e-").FullName;
        string[] model = ["--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"), "--image-size", "48", "--taps", "1,2,3,4", "--dtype", "fp32"];
        string[] train = ["train", "--dataset", "mvtec", "--data-path", realAd, "--class-name", "paper_bdp01", .. model, "--batch-size", "4", "--save-path", dir,
            "--val-dataset", "mvtec", "--val-data-path", realAd, "--val-class-name", "hazelnut_toy"];
        Assert.Equal(0, AnomalyClip.Cli.CliApp.Run([.. train, "--epochs", "1"]));
        Assert.Equal(0, AnomalyClip.Cli.CliApp.Run([.. train, "--epochs", "2", "--resume"]));
        var log = File.ReadAllLines(Path.Combine(dir, "loss_log.csv"));
        Assert.Equal(3, log.Length);
        Assert.All(log.Skip(1), l => Assert.False(l.EndsWith(','), "validation score recorded"));
        Assert.True(File.Exists(Path.Combine(dir, "best.safetensors")));

        var results = Path.Combine(dir, "test");
        Assert.Equal(0, AnomalyClip.Cli.CliApp.Run(["test", "--dataset", "mvtec", "--data-path", realAd, "--class-name", "paper_bdp01,hazelnut_toy",
            "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"), "--adapter", Path.Combine(dir, "epoch_2.safetensors"), "--out", results]));
        var table = File.ReadAllText(Path.Combine(results, "results.md"));
        Assert.Contains("| paper_bdp01", table);
        Assert.Contains("| hazelnut_toy", table);
        Assert.Contains("| mean", table);
        Assert.True(Directory.EnumerateFiles(Path.Combine(results, "imgs"), "*.png", SearchOption.AllDirectories).Count() >= 2);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "results.json")));
        Assert.True(json.RootElement.TryGetProperty("mean", out _) || json.RootElement.ToString().Contains("mean"));
    }
}
