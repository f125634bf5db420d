using System.Globalization;
using AnomalyClip.Clip.IO;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Datasets;
using AnomalyClip.Tests.Training.Evaluation;
using AnomalyClip.Training.Evaluation;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary><c>anomalyclip metrics</c> on stored maps, masks and scores.</summary>
public class MetricsCommandTests
{
    /// <summary>
    /// The golden maps and image scores with the dataset's original-size masks (resized here with the paper's mask
    /// transform) give APRIL-GAN's figures to 1e-9 and its printed table cell for cell: the evaluation pipeline is
    /// exact, and EvaluationRun's small deviations come from its maps alone.
    /// </summary>
    [Theory]
    [InlineData("zero_shot")]
    [InlineData("few_shot")]
    public void GoldenMapsAndScoresReproduceGoldenMetrics(string mode)
    {
        using var dir = new TempDatasetDir();
        var order = Golden.Manifest["aprilgan"]!["test_dataset"]!["images_in_test_order"]!.AsArray().Select(n => (string)n!).ToArray();
        var maps = Golden.AprilGan($"aprilgan/{mode}/map");
        var scores = Golden.AprilGan($"aprilgan/{mode}/image_score").to_type(ScalarType.Float64);
        var masksDir = dir.PathOf("masks");
        Directory.CreateDirectory(masksDir);
        var tensors = new Dictionary<string, Tensor>();
        var csv = new List<string> { "file,class,score" };
        for (int i = 0; i < order.Length; i++)
        {
            // The stems 000/001 repeat across classes and defect types, so the files are renamed uniquely.
            var stem = order[i].Replace(".png", "").Replace('/', '_');
            tensors[stem] = maps[i];
            csv.Add($"{stem}.png,{order[i].Split('/')[0]},{scores[i].item<double>().ToString("R", CultureInfo.InvariantCulture)}");
            var mask = Path.Combine(GoldenEvaluation.DatasetRoot, order[i].Replace("/test/", "/ground_truth/").Replace(".png", "_mask.png"));
            if (File.Exists(mask)) File.Copy(mask, Path.Combine(masksDir, stem + "_mask.png"));
        }
        Assert.Equal(4, Directory.GetFiles(masksDir).Length);
        SafeTensors.Save(dir.PathOf("maps.safetensors"), tensors);
        File.WriteAllLines(dir.PathOf("results.csv"), csv);

        var outDir = dir.PathOf("out");
        var (code, stdout, stderr) = InProcessCli.Run("metrics", "--maps", dir.PathOf("maps.safetensors"), "--masks", masksDir,
            "--scores", dir.PathOf("results.csv"), "--out", outDir);
        Assert.True(code == 0, stderr);

        var result = StoredPredictions.Evaluate(dir.PathOf("maps.safetensors"), masksDir, dir.PathOf("results.csv"));
        GoldenEvaluation.AssertMatches(mode, result.Metrics, GoldenEvaluation.FromGoldenMaps);
        Assert.Equal(GoldenEvaluation.Table(mode), GoldenEvaluation.Rows(stdout));
        Assert.Equal(result.Metrics.ToMarkdown(), File.ReadAllText(Path.Combine(outDir, EvaluationResult.MarkdownFile)));
        Assert.Equal(result.Metrics.ToCsv(), File.ReadAllText(Path.Combine(outDir, EvaluationResult.CsvFile)));
        Assert.True(File.Exists(Path.Combine(outDir, EvaluationResult.JsonFile)));
        Assert.Contains("bottle: 4 images (2 anomalous), 2 masks", File.ReadAllText(Path.Combine(outDir, EvaluationResult.LogFile)));
    }

    /// <summary>A temp set of 5 maps (12×12) in two classes: masks at map size, one at 30×30 (resized), one missing.</summary>
    private sealed class Synthetic : IDisposable
    {
        public readonly TempDatasetDir Dir = new();
        public readonly float[][] Maps;
        public readonly string[] Stems = ["a0", "a1", "a2", "b0", "b1"];
        public readonly string[] Classes = ["alpha", "alpha", "alpha", "beta", "beta"];
        public readonly double[] Scores = [0.2, 0.9, 0.4, 0.7, 0.1];

        public Synthetic()
        {
            var rng = new Random(5);
            Maps = Stems.Select(_ => Enumerable.Range(0, 144).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
            SafeTensors.Save(MapsPath, Stems.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => tensor(Maps[p.i], [12, 12])));
            Directory.CreateDirectory(MasksDir);
            Dir.Mask("masks/a1_mask.png", 12, 12, (x, y) => x is >= 3 and < 7 && y is >= 2 and < 5 ? (byte)255 : (byte)0);
            Dir.Mask("masks/a2.png", 30, 30, (x, y) => x + y < 14 ? (byte)80 : (byte)0);
            Dir.Mask("masks/b0_mask.png", 12, 12, (x, y) => x == 9 && y > 6 ? (byte)1 : (byte)0);
            WriteCsv("file,class,score", i => $"imgs/{Stems[i]}.png,{Classes[i]},{Scores[i].ToString("R", CultureInfo.InvariantCulture)}");
        }

        public string MapsPath => Dir.PathOf("maps.safetensors");
        public string MasksDir => Dir.PathOf("masks");
        public string CsvPath => Dir.PathOf("results.csv");

        public void WriteCsv(string header, Func<int, string> row) =>
            File.WriteAllLines(CsvPath, [header, .. Enumerable.Range(0, Stems.Length).Select(row)]);

        public string[] Run(params string[] extra) => ["metrics", "--maps", MapsPath, "--masks", MasksDir, "--scores", CsvPath, .. extra];

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void StoredPredictionsEqualADirectAccumulatorComputation()
    {
        using var s = new Synthetic();
        var (code, stdout, stderr) = InProcessCli.Run(s.Run());
        Assert.True(code == 0, stderr);

        byte[] Box(Func<int, int, bool> on) => Enumerable.Range(0, 144).Select(i => on(i % 12, i / 12) ? (byte)1 : (byte)0).ToArray();
        using var resized = new MaskPreprocessor(12).Load(s.Dir.PathOf("masks/a2.png"), CPU);
        var a2 = resized.data<float>().Select(v => v > 0.5f ? (byte)1 : (byte)0).ToArray();
        Assert.Contains((byte)1, a2);
        byte[][] masks = [new byte[144], Box((x, y) => x is >= 3 and < 7 && y is >= 2 and < 5), a2, Box((x, y) => x == 9 && y > 6), new byte[144]];
        var expected = new[] { "alpha", "beta" }.Select(cls =>
        {
            var acc = new ClassMetricsAccumulator(cls);
            for (int i = 0; i < 5; i++)
                if (s.Classes[i] == cls) acc.Add(s.Maps[i], masks[i], 12, 12, masks[i].Any(b => b != 0), s.Scores[i]);
            return acc.Compute();
        });
        var suite = new MetricSuite(expected);
        Assert.Equal(suite.ToMarkdown(), stdout);
        var result = StoredPredictions.Evaluate(s.MapsPath, s.MasksDir, s.CsvPath);
        Assert.Equal(suite.ToCsv(), result.Metrics.ToCsv());
        Assert.Equal([2, 1], result.Classes.Select(c => c.Anomalous));
    }

    [Fact]
    public void LabelColumnOverridesMasksAndAnAnomalyWithoutMaskHidesPixelMetrics()
    {
        using var s = new Synthetic();
        s.WriteCsv("file,class,score,label", i => $"{s.Stems[i]}.png,{s.Classes[i]},{s.Scores[i].ToString("R", CultureInfo.InvariantCulture)},{(i == 4 ? 1 : i is 1 or 2 or 3 ? 1 : 0)}");
        var result = StoredPredictions.Evaluate(s.MapsPath, s.MasksDir, s.CsvPath);
        Assert.True(result.Classes[0].PixelMetricsAvailable);
        Assert.False(result.Classes[1].PixelMetricsAvailable);
        Assert.True(double.IsNaN(result.Classes[1].Metrics.PixelAuroc));
        // beta: b0 (score 0.7) and b1 (score 0.1) are both anomalous: image AUROC is undefined.
        Assert.Equal(2, result.Classes[1].Anomalous);
        Assert.True(double.IsNaN(result.Classes[1].Metrics.ImageAuroc));
    }

    [Fact]
    public void BadInputsExitWithCode2AndNameTheFile()
    {
        using var s = new Synthetic();
        var (code, _, err) = InProcessCli.Run("metrics", "--maps", s.MapsPath, "--masks", s.Dir.PathOf("nomasks"), "--scores", s.CsvPath);
        Assert.Equal(2, code);
        Assert.Contains(s.Dir.PathOf("nomasks") + ": mask folder not found", err);

        s.WriteCsv("file,score", i => $"{s.Stems[i]}.png,0.5");
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains(s.CsvPath + ": missing column(s) class", err);

        s.WriteCsv("file,class,score", i => $"{s.Stems[i]}.png,alpha,{(i == 2 ? "high" : "0.5")}");
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains(s.CsvPath + ": data row 3: score 'high'", err);

        s.WriteCsv("file,class,score", i => $"{(i == 3 ? "other/a0" : s.Stems[i])}.png,alpha,0.5");
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains("same file stem 'a0'", err);

        s.WriteCsv("file,class,score", i => $"{s.Stems[i]}.png,alpha,0.5");
        using (var cube = zeros(2, 12, 12)) SafeTensors.Save(s.MapsPath, s.Stems.ToDictionary(n => n, n => n == "b0" ? cube : zeros(12, 12)));
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains(s.MapsPath + ": map 'b0' has shape [2,12,12], expected a 2-D", err);

        SafeTensors.Save(s.MapsPath, s.Stems.ToDictionary(n => n, n => zeros(12, 12)));
        File.WriteAllBytes(Path.Combine(s.MasksDir, "a1_mask.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(s.MasksDir, "a1_mask.png"), err);

        File.Delete(Path.Combine(s.MasksDir, "a1_mask.png"));
        s.Dir.Mask("masks/b1.png", 12, 12, (_, _) => 0);
        s.Dir.Mask("masks/b1_mask.png", 12, 12, (_, _) => 0);
        (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains("two masks for 'b1'", err);
    }

    [Fact]
    public void MaskOfAnotherSizeNeedsASquareMap()
    {
        using var s = new Synthetic();
        SafeTensors.Save(s.MapsPath, s.Stems.ToDictionary(n => n, n => zeros(12, n == "a2" ? 10 : 12)));
        var (code, _, err) = InProcessCli.Run(s.Run());
        Assert.Equal(2, code);
        Assert.Contains(s.Dir.PathOf("masks/a2.png") + ": mask is 30x30 but map 'a2'", err);
    }
}
