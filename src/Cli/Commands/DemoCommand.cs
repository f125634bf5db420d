using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Visualization;
using AnomalyClip.Training.Datasets;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip demo</c>: the main job, with nothing to download: few-shot detection with the offline ResNet-18 on
/// the bundled real sample images, k normal references per class, every test image scored, overlays, the metric
/// table and the HTML report written to <c>--out</c>.
/// </summary>
internal static class DemoCommand
{
    public static Command Build()
    {
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => Path.Combine("results", "demo") };
        var dataPath = new Option<string?>("--data-path") { Description = "An MVTec-layout folder to run on instead of the bundled samples." };
        var k = new Option<int>("--k") { Description = "Normal references per class (picked from train/good with the seeded policy).", DefaultValueFactory = _ => 4 }.Between(1, 10000);
        var seed = new Option<int>("--seed") { Description = "Seed of the reference pick.", DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var cmd = new Command("demo", "Few-shot anomaly detection with the built-in ResNet-18 on the bundled sample images (no download): table, overlays and report.html.")
        { output, dataPath, k, seed, device };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var root = r.GetValue(dataPath) ?? SampleData.Locate();
            var dataset = MvtecDataset.Load(root, new DatasetLoadOptions { DiscoverClasses = true });
            dataset.Validate();
            var outDir = OutputPaths.Folder("--out", r.GetValue(output)!);
            Console.WriteLine($"demo: few-shot ResNet-18 (ImageNet, from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package) on {Path.GetFullPath(root)}");
            using var session = new DetectorSession(CnnFewShotDetector.Create(AnomalyClip.Backbones.Backbone.ResNet18(DeviceOption.Parse(r.GetValue(device)!))), [],
                new Dictionary<string, string> { ["detector"] = DetectorArguments.ResNet18Backbone });
            var options = new EvaluationOptions
            {
                K = r.GetValue(k),
                Seed = r.GetValue(seed),
                FewShotScore = FewShotImageScore.PerImage,
                Settings = new Dictionary<string, string> { ["detector"] = DetectorArguments.ResNet18Backbone, ["run"] = "anomalyclip demo" },
            };
            using var outputs = TestCommand.ClaimOutputs(outDir);
            var result = TestCommand.Evaluate(session, dataset, options, outDir, overlays: true, fixedScale: true);
            outputs.Keep();
            Console.Write(result.Metrics.ToMarkdown());
            Console.WriteLine($"results, overlays and report.html written to {Path.GetFullPath(outDir)}");
            return 0;
        }));
        return cmd;
    }
}
