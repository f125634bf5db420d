using AnomalyClip.Cli;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip predict</c> in-process on the golden tiny setting.</summary>
public class PredictCommandTests
{
    private static string[] ModelArgs => TinyAprilGan.CliArgs;

    private static string Out() => Directory.CreateTempSubdirectory("predict-").FullName;

    private static string[] TestImages(string cls) =>
        Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray().Select(n => (string)n!)
            .Where(p => p.StartsWith(cls + "/")).Select(p => Golden.PathOf("dataset_test", p)).ToArray();

    private static Dictionary<string, string[]> Csv(string dir) =>
        File.ReadAllLines(Path.Combine(dir, "results.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => Path.GetRelativePath(Golden.PathOf("dataset_test"), f[0]).Replace('\\', '/'), f => f);

    [Fact]
    public void ZeroShotScoresMapsAndPicturesMatchTheReference()
    {
        var dir = Out();
        int code = CliApp.Run(["predict", .. TestImages("bottle"), .. ModelArgs, "--class-name", "bottle", "--out", dir, "--save-maps", "--pixel-threshold", "2.3", "--image-threshold", "0.275"]);
        Assert.Equal(0, code);
        var rows = Csv(dir);
        var order = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray().Select(n => (string)n!).ToArray();
        var scores = Golden.AprilGan("aprilgan/zero_shot/image_score");
        var goldenMaps = Golden.AprilGan("aprilgan/zero_shot/map");
        var maps = SafeTensors.Load(Path.Combine(dir, "maps.safetensors"));
        var stems = new[] { "good_000", "good_001", "defect_000", "defect_001" };
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(scores[i].item<float>(), double.Parse(rows[order[i]][2]), 1e-5);
            Assert.Equal(double.Parse(rows[order[i]][2]) > 0.275 ? "1" : "0", rows[order[i]][5]);
            TensorAssert.Close(goldenMaps[i], maps[stems[i]], 1e-4, stems[i]);
            var overlay = new ImageDecoder().Decode(Path.Combine(dir, "overlays", stems[i] + ".png"));
            Assert.Equal((48, 48), (overlay.Width, overlay.Height));
            var mask = new ImageDecoder().Decode(Path.Combine(dir, "masks", stems[i] + ".png"));
            Assert.All(mask.Pixels.ToArray(), v => Assert.True(v is 0 or 255));
            Assert.True(File.Exists(Path.Combine(dir, "contours", stems[i] + ".png")));
        }
    }

    [Fact]
    public void FewShotWithTheReferenceListReproducesTransductiveScores()
    {
        var list = Path.Combine(Out(), "k_shot.txt");
        var refs = Golden.Manifest["aprilgan"]!["test_dataset"]!["k_shot_reference_images"]!.AsArray().Select(n => (string)n!).Where(p => p.StartsWith("screw/"));
        File.WriteAllLines(list, refs.Select(p => Golden.PathOf("dataset_test", p)));
        var dir = Out();
        var bank = Path.Combine(dir, "screw.bank.safetensors");
        Assert.Equal(0, CliApp.Run(["predict", .. TestImages("screw"), .. ModelArgs, "--class-name", "screw", "--reference", list, "--transductive", "--save-bank", bank, "--out", dir]));
        var rows = Csv(dir);
        var golden = Golden.AprilGan("aprilgan/few_shot/image_score");
        var order = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray().Select(n => (string)n!).ToArray();
        for (int i = 4; i < 8; i++) Assert.Equal(golden[i].item<double>(), double.Parse(rows[order[i]][2]), 1e-5);

        var again = Out();
        Assert.Equal(0, CliApp.Run(["predict", .. TestImages("screw"), .. ModelArgs, "--class-name", "screw", "--bank", bank, "--transductive", "--out", again]));
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "results.csv")), File.ReadAllText(Path.Combine(again, "results.csv")));
    }

    [Fact]
    public void UnreadableImageInAFolderIsSkippedAndReported()
    {
        var input = Directory.CreateTempSubdirectory("predict-in-").FullName;
        File.Copy(TestImages("bottle")[0], Path.Combine(input, "ok.png"));
        File.WriteAllBytes(Path.Combine(input, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var dir = Out();
        Assert.Equal(3, CliApp.Run(["predict", input, .. ModelArgs, "--out", dir]));
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "results.csv")).Skip(1));
        Assert.Contains("broken.png", File.ReadAllText(Path.Combine(dir, "skipped.txt")));
    }

    [Fact]
    public void PreprocessedTensorsGiveTheSameMaps()
    {
        var input = Path.Combine(Out(), "inputs.safetensors");
        SafeTensors.Save(input, new Dictionary<string, Tensor> { ["batch"] = Golden.AprilGan("aprilgan/input/images") });
        var dir = Out();
        var classes = TinyAprilGan.TestClasses;
        Assert.Equal(0, CliApp.Run(["predict", "--tensors", input, .. ModelArgs, "--class-name", "bottle", "--out", dir, "--save-maps"]));
        var maps = SafeTensors.Load(Path.Combine(dir, "maps.safetensors"));
        TensorAssert.Close(Golden.AprilGan("aprilgan/zero_shot/map")[0], maps["batch.0"], 1e-4, "batch.0");
        Assert.Equal(8, maps.Count);
    }

    [Fact]
    public void BadInputsExitWithTwoAndWriteNothing()
    {
        var dir = Out();
        Assert.Equal(2, CliApp.Run(["predict", Path.Combine(dir, "missing.png"), .. ModelArgs, "--out", dir]));
        var wrongAdapter = Path.Combine(Out(), "wide.safetensors");
        using (var wide = AnomalyClip.Adapter.Checkpoints.AdapterWeights.CreateNew(TinyAprilGan.Metadata with { InputWidth = 128 })) wide.Save(wrongAdapter);
        Assert.Equal(2, CliApp.Run(["predict", TestImages("bottle")[0], "--model-dir", Golden.TinyA, "--tokenizer", Golden.PathOf("bpe_simple_vocab_16e6.txt.gz"), "--adapter", wrongAdapter, "--out", dir]));
        Assert.Equal(2, CliApp.Run(["predict", TestImages("bottle")[0], .. ModelArgs, "--reference", Path.Combine(dir, "no-such-folder"), "--out", dir]));
        Assert.False(File.Exists(Path.Combine(dir, "results.csv")));
    }
}
