using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip bench fewshot</c>: the offline ResNet-18 few-shot detector over an MVTec-layout folder for several
/// k and input sizes, references = the first k sorted train/good files: image AUROC, pixel AUROC and AUPRO@0.3 per
/// class and mean, and wall time per test image.
/// </summary>
internal static class BenchFewShotCommand
{
    public static Command Build()
    {
        var dataPath = new Option<string?>("--data-path") { Description = "MVTec-layout folder (default: the bundled samples)." };
        var ks = new Option<string>("--k") { Description = "Comma-separated k values.", DefaultValueFactory = _ => "1,2,4,8" };
        var sizes = new Option<string>("--image-size") { Description = "Comma-separated input sizes.", DefaultValueFactory = _ => "224,320" };
        var coreset = new Option<double?>("--coreset") { Description = "Keep this fraction of each bank's rows (greedy coreset; default 0.1, 1 keeps all)." }.Between(0, 1, minExclusive: true);
        var layers = new Option<string?>("--layers") { Description = "Comma-separated layers (default layer1,layer2,layer3, on layer2's grid)." };
        var augment = new Option<string?>("--augment") { Description = "none, flips, rotations or all (default: the detector's, flips)." };
        var sigma = new Option<double>("--smoothing") { Description = "Gaussian sigma of the map in pixels.", DefaultValueFactory = _ => 4 }.Between(0, 1000);
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 }.Between(1, 1024);
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a Markdown table." };
        var cmd = new Command("fewshot", "Few-shot quality of the offline ResNet-18 detector per k and input size (first k train images as references).")
        { dataPath, ks, sizes, coreset, layers, augment, sigma, batch, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var root = r.GetValue(dataPath) ?? SampleData.Locate();
            var dataset = MvtecDataset.Load(root, new DatasetLoadOptions { DiscoverClasses = true });
            dataset.Validate();
            var augmentation = DetectorArguments.AugmentationOr(r.GetValue(augment));
            var rows = new List<Row>();
            foreach (int size in Numbers(r.GetValue(sizes)!, "--image-size"))
            {
                var options = DetectorArguments.CnnOptions(r.GetValue(layers)) with
                {
                    SmoothingSigma = r.GetValue(sigma), CoresetFraction = r.GetValue(coreset) ?? CnnFewShotOptions.Default.CoresetFraction, Augmentation = augmentation, BatchSize = r.GetValue(batch),
                };
                using var detector = CnnFewShotDetector.Create(AnomalyClip.Backbones.Backbone.ResNet18(inputSize: size), options);
                foreach (int k in Numbers(r.GetValue(ks)!, "--k"))
                {
                    var watch = Stopwatch.StartNew();
                    var result = new EvaluationRun(detector, dataset, new EvaluationOptions { K = k, Seed = null, FewShotScore = FewShotImageScore.PerImage }).Evaluate();
                    double ms = watch.Elapsed.TotalMilliseconds / result.Classes.Sum(c => c.Images);
                    foreach (var c in result.Classes.Select(c => c.Metrics).Append(result.Metrics.Mean))
                        rows.Add(new Row(size, k, c.ClassName, c.ImageAuroc, c.PixelAuroc, c.AuproStandard, c.Aupro, ms));
                    Console.Error.WriteLine($"size {size}, k {k}: mean image AUROC {result.Metrics.Mean.ImageAuroc * 100:F1}, {ms:F1} ms/image");
                }
            }
            Console.WriteLine(r.GetValue(json) ? JsonSerializer.Serialize(rows, BenchJson.Options) : Markdown(rows));
            return 0;
        }));
        return cmd;
    }

    internal sealed record Row(int ImageSize, int K, string Class, double ImageAuroc, double PixelAuroc, double Aupro03, double AuproPaper, double MsPerImage);

    private static IEnumerable<int> Numbers(string list, string option) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{option}: '{v}' is not a positive whole number"));

    private static string Markdown(IReadOnlyList<Row> rows)
    {
        var sb = new StringBuilder("| size | k | class | image AUROC | pixel AUROC | AUPRO@0.3 | AUPRO (paper) | ms/image |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"| {r.ImageSize} | {r.K} | {r.Class} | {r.ImageAuroc * 100:F1} | {r.PixelAuroc * 100:F1} | {r.Aupro03 * 100:F1} | {r.AuproPaper * 100:F1} | {r.MsPerImage:F1} |\n");
        return sb.ToString();
    }
}
