using System.Globalization;
using AnomalyClip.Cli.Commands;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Datasets;
using AnomalyClip.Tests.Training.Evaluation;
using AnomalyClip.Training.Datasets;
using Xunit;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Cli;

/// <summary>
/// <c>anomalyclip calibrate</c> in-process on the golden tiny setting: the thresholds it writes equal
/// <see cref="ThresholdCalibration"/> applied to the detector's own predictions, and predict reproduces them.
/// </summary>
public class CalibrateCommandTests
{
    private static string[] ModelArgs => TinyAprilGan.CliArgs;

    private static string RealAd(params string[] parts) => Path.Combine([Golden.Samples, .. parts]);

    private static string FirstNormal() => Directory.GetFiles(RealAd("paper_bdp01", "test", "good")).Order(StringComparer.Ordinal).First();

    private static string OutFile() => Path.Combine(Directory.CreateTempSubdirectory("calibrate-").FullName, "thresholds.json");

    /// <summary>Runs calibrate, asserts success and returns the file it wrote.</summary>
    private static DetectorThresholds Calibrate(string outFile, params string[] args)
    {
        var (code, stdout, stderr) = InProcessCli.Run(["calibrate", .. args, .. ModelArgs, "--out", outFile]);
        Assert.True(code == 0, stderr);
        Assert.Contains("→ " + outFile, stdout);
        return DetectorThresholds.Load(outFile);
    }

    private static double Detail(DetectorThresholds t, string key) => double.Parse(t.Details[key], CultureInfo.InvariantCulture);

    /// <summary>APRIL-GAN's S×S 0/1 mask of a sample (zeros for normal images).</summary>
    private static byte[] Mask(AnomalySample s)
    {
        if (s.MaskPath is null) return new byte[48 * 48];
        using var scope = NewDisposeScope();
        return new MaskPreprocessor(48).Load(s.MaskPath, CPU).data<float>().ToArray().Select(v => (byte)v).ToArray();
    }

    private static (F1Threshold Image, F1Threshold Pixel) Expected(IReadOnlyList<AnomalySample> samples, Func<string, AnomalyResult> predict)
    {
        var results = samples.Select(s => predict(s.ImagePath)).ToArray();
        return (ThresholdCalibration.F1Optimal(results.Select(r => r.Score).ToArray(), samples.Select(s => s.IsAnomaly).ToArray()),
            ThresholdCalibration.F1OptimalPixels(results.Select(r => r.Map).ToArray(), samples.Select(Mask).ToArray()));
    }

    [Fact]
    public void ZeroShotLabelledCalibrationIsF1OptimalOnTheDetectorsPredictions()
    {
        var outFile = OutFile();
        var t = Calibrate(outFile, "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--discover-classes", "--class-name", "screw");

        var samples = GoldenEvaluation.Dataset().Test["screw"];
        var (image, pixel) = Expected(samples, p => TinyAprilGan.Detector.Predict(p, "screw"));
        Assert.Equal(image.Threshold, t.Image);
        Assert.Equal(pixel.Threshold, t.Pixel);
        Assert.Equal("f1-optimal", t.Method);
        Assert.Equal(image.F1, Detail(t, "image_f1"));
        Assert.Equal(pixel.F1, Detail(t, "pixel_f1"));
        Assert.Equal(pixel.Recall, Detail(t, "pixel_recall"));
        // The best F1 over all cuts is the paper's F1-max (golden test metrics of APRIL-GAN).
        var golden = Golden.Manifest["aprilgan"]!["test_metrics"]!["zero_shot"]!["per_class"]!["screw"]!;
        Assert.Equal((double)golden["f1_px"]!, pixel.F1, 1e-9);
        Assert.Equal((double)golden["f1_sp"]!, image.F1, 1e-9);
        Assert.Equal(("screw", "zero-shot", "4", "2"), (t.Details["class"], t.Details["mode"], t.Details["images"], t.Details["anomalous"]));
        Assert.Equal(Golden.PathOf("aprilgan_linear_layers.pth"), t.Details["adapter"]);
    }

    [Fact]
    public void FewShotLabelledCalibrationOnRealImagesUsesThePerImageScore()
    {
        var refs = RealAd("paper_bdp01", "train", "good");
        var outFile = OutFile();
        var t = Calibrate(outFile, "--dataset", "mvtec", "--data-path", RealAd(), "--class-name", "paper_bdp01", "--reference", refs, "--k", "3", "--seed", "7");

        var chosen = ReferenceImages.Select(refs, 3, 7);
        using var fewShot = FewShotDetector.Create(TinyAprilGan.Detector, chosen, "paper_bdp01");
        var samples = MvtecDataset.Load(RealAd(), new DatasetLoadOptions { Classes = ["paper_bdp01"] }).Test["paper_bdp01"];
        var (image, pixel) = Expected(samples, p => fewShot.Predict(p, "paper_bdp01"));
        Assert.Equal(image.Threshold, t.Image);
        Assert.Equal(pixel.Threshold, t.Pixel);
        Assert.Equal(image.F1, Detail(t, "image_f1"));
        Assert.Equal("few-shot", t.Details["mode"]);
        Assert.Equal(chosen.Select(Path.GetFullPath), t.Details["references"].Split('\n'));
        Assert.Equal(("3", "7", "18", "10"), (t.Details["k"], t.Details["seed"], t.Details["images"], t.Details["anomalous"]));
    }

    [Fact]
    public void NormalsGiveTheQuantileOfScoresAndPixels()
    {
        var normals = RealAd("paper_bdp01", "test", "good");
        var outFile = OutFile();
        var t = Calibrate(outFile, "--normals", normals, "--class-name", "paper_bdp01", "--quantile", "0.9");

        var results = Directory.GetFiles(normals).Order(StringComparer.Ordinal).Select(p => TinyAprilGan.Detector.Predict(p, "paper_bdp01")).ToArray();
        Assert.Equal(8, results.Length);
        Assert.Equal(ThresholdCalibration.FromNormals(results.Select(r => r.Score).ToArray(), 0.9), t.Image);
        Assert.Equal(ThresholdCalibration.FromNormalPixels(results.Select(r => r.Map).ToArray(), 0.9), t.Pixel);
        Assert.Equal("normal-quantile-0.9", t.Method);
        Assert.Equal(("paper_bdp01", "8", "0", "0.9"), (t.Details["class"], t.Details["images"], t.Details["skipped_images"], t.Details["quantile"]));
        // A 0.9 quantile over 8 scores interpolates between the 7th and 8th: exactly one normal image lies above it.
        Assert.Equal(1, results.Count(r => r.Score > t.Image));
    }

    [Fact]
    public void FewShotNormalsLeaveTheReferencesOut()
    {
        var normals = RealAd("hazelnut_toy", "train", "good");
        var outFile = OutFile();
        var t = Calibrate(outFile, "--normals", normals, "--class-name", "hazelnut_toy", "--reference", normals, "--k", "3");

        var chosen = ReferenceImages.Select(normals, 3, 42);
        var rest = Directory.GetFiles(normals).Order(StringComparer.Ordinal).Where(f => !chosen.Contains(f)).ToArray();
        Assert.Equal(7, rest.Length);
        using var fewShot = FewShotDetector.Create(TinyAprilGan.Detector, chosen, "hazelnut_toy");
        var results = rest.Select(p => fewShot.Predict(p, "hazelnut_toy")).ToArray();
        Assert.Equal(ThresholdCalibration.FromNormals(results.Select(r => r.Score).ToArray()), t.Image);
        Assert.Equal(ThresholdCalibration.FromNormalPixels(results.Select(r => r.Map).ToArray()), t.Pixel);
        Assert.Equal(("normal-quantile-0.99", "7", "3"), (t.Method, t.Details["images"], t.Details["excluded_references"]));

        var list = Path.Combine(Path.GetDirectoryName(outFile)!, "all.txt");
        File.WriteAllLines(list, Directory.GetFiles(normals));
        var again = OutFile();
        var (code, _, stderr) = InProcessCli.Run(["calibrate", "--normals", normals, "--reference", list, .. ModelArgs, "--out", again]);
        Assert.Equal(2, code);
        Assert.Contains("no normal image left", stderr);
        Assert.False(File.Exists(again));
    }

    [Fact]
    public void PredictWithTheWrittenFileReproducesTheCalibratedF1()
    {
        var outFile = OutFile();
        var (calibrated, stdout, calibrateErr) = InProcessCli.Run(["calibrate", "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--class-name", "bottle", .. ModelArgs, "--out", outFile]);
        Assert.True(calibrated == 0, calibrateErr);
        var t = DetectorThresholds.Load(outFile);
        // The printed thresholds ("R" format) are the stored ones, bit for bit.
        var printed = stdout.Split('\n').Where(l => l.Contains(" threshold: ")).Select(l => double.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([t.Image!.Value, t.Pixel!.Value], printed);

        var samples = GoldenEvaluation.Dataset().Test["bottle"];
        var dir = Directory.CreateTempSubdirectory("calibrate-predict-").FullName;
        var (code, _, stderr) = InProcessCli.Run(["predict", .. samples.Select(s => s.ImagePath), .. ModelArgs, "--class-name", "bottle", "--thresholds", outFile, "--out", dir]);
        Assert.True(code == 0, stderr);
        var rows = File.ReadAllLines(Path.Combine(dir, "results.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0]);
        long tp = 0, fp = 0, fn = 0;
        foreach (var s in samples)
        {
            var row = rows[s.ImagePath];
            bool flagged = row[5] == "1";
            Assert.Equal(double.Parse(row[2], CultureInfo.InvariantCulture) > t.Image, flagged);
            (tp, fp, fn) = (tp + (flagged && s.IsAnomaly ? 1 : 0), fp + (flagged && !s.IsAnomaly ? 1 : 0), fn + (!flagged && s.IsAnomaly ? 1 : 0));
        }
        Assert.Equal(Detail(t, "image_f1"), 2.0 * tp / (2 * tp + fp + fn), 1e-12);

        // Masks written by predict at the pixel threshold, scored against the ground truth, give the calibrated pixel F1.
        (tp, fp, fn) = (0, 0, 0);
        foreach (var s in samples)
        {
            var stem = Path.GetFileName(Path.GetDirectoryName(s.ImagePath)) + "_" + Path.GetFileNameWithoutExtension(s.ImagePath);
            var written = new ImageDecoder().Decode(Path.Combine(dir, "masks", stem + ".png"));
            Assert.Equal((48, 48), (written.Width, written.Height));
            var truth = Mask(s);
            var predicted = written.Pixels.ToArray();
            for (int i = 0; i < truth.Length; i++)
            {
                bool flagged = predicted[i * written.Channels] != 0;
                tp += flagged && truth[i] == 1 ? 1 : 0;
                fp += flagged && truth[i] == 0 ? 1 : 0;
                fn += !flagged && truth[i] == 1 ? 1 : 0;
            }
        }
        Assert.Equal(Detail(t, "pixel_f1"), 2.0 * tp / (2 * tp + fp + fn), 1e-12);
    }

    [Fact]
    public void AnomaliesWithoutMasksCalibrateTheImageThresholdOnly()
    {
        using var data = new TempDatasetDir();
        var bottle = GoldenEvaluation.Dataset().Test["bottle"];
        foreach (var s in bottle)
        {
            var target = data.PathOf(Path.Combine("part", s.IsAnomaly ? "scratch" : "good", Path.GetFileName(s.ImagePath)));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(s.ImagePath, target);
        }
        var outFile = OutFile();
        var (code, stdout, stderr) = InProcessCli.Run(["calibrate", "--dataset", "folder", "--data-path", data.PathOf("part"), .. ModelArgs, "--out", outFile]);
        Assert.True(code == 0, stderr);
        var t = DetectorThresholds.Load(outFile);
        Assert.Null(t.Pixel);
        Assert.NotNull(t.Image);
        Assert.Equal("part", t.Details["class"]);
        Assert.Contains("2 anomalous image(s) have no mask", t.Details["pixel_note"]);
        Assert.Contains("pixel threshold: not calibrated", stdout);
    }

    [Fact]
    public void UnreadableNormalsAreSkippedAndCounted()
    {
        using var data = new TempDatasetDir();
        File.Copy(FirstNormal(), data.PathOf("ok.png"));
        File.WriteAllBytes(data.PathOf("broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var outFile = OutFile();
        var (code, _, stderr) = InProcessCli.Run(["calibrate", "--normals", data.Root, .. ModelArgs, "--out", outFile]);
        Assert.True(code == 3, stderr);
        Assert.Contains("skipped:", stderr);
        Assert.Contains("broken.png", stderr);
        var t = DetectorThresholds.Load(outFile);
        Assert.Equal(("1", "1", "object"), (t.Details["images"], t.Details["skipped_images"], t.Details["class"]));
        Assert.Equal(TinyAprilGan.Detector.Predict(data.PathOf("ok.png")).Score, t.Image);

        File.Delete(data.PathOf("ok.png"));
        (code, _, stderr) = InProcessCli.Run(["calibrate", "--normals", data.Root, .. ModelArgs, "--out", OutFile()]);
        Assert.Equal(2, code);
        Assert.Contains("none of the 1 normal image(s) could be read", stderr);
    }

    [Theory]
    [InlineData("--class-name", "give --class-name with one of bottle, screw", "--dataset", "mvtec", "--discover-classes")]
    [InlineData("two classes", "one class per call", "--dataset", "mvtec", "--class-name", "bottle,screw")]
    [InlineData("unknown class", "'cable' is not a class", "--dataset", "meta", "--class-name", "cable")]
    [InlineData("neither mode", "give either --dataset", "--class-name", "bottle")]
    [InlineData("both modes", "give either --dataset", "--dataset", "mvtec", "--class-name", "bottle", "--normals", "NORMALS")]
    [InlineData("missing normals", "no-such-folder: no such file", "--normals", "MISSING")]
    [InlineData("quantile out of range", "--quantile must be at least 0 and at most 1, got 1.5", "--normals", "NORMALS", "--quantile", "1.5")]
    [InlineData("quantile with a dataset", "--quantile applies to --normals only", "--dataset", "mvtec", "--class-name", "bottle", "--quantile", "0.9")]
    [InlineData("k without references", "--k and --seed go with --reference", "--normals", "NORMALS", "--k", "2")]
    public void BadInputsExitWithTwoNamingTheProblemAndWriteNothing(string what, string message, params string[] args)
    {
        var outFile = OutFile();
        var resolved = args.Select(a => a switch
        {
            "NORMALS" => RealAd("paper_bdp01", "test", "good"),
            "MISSING" => Path.Combine(Path.GetDirectoryName(outFile)!, "no-such-folder"),
            _ => a,
        }).ToList();
        if (resolved.Contains("--dataset")) resolved.AddRange(["--data-path", GoldenEvaluation.DatasetRoot]);
        var (code, _, stderr) = InProcessCli.Run(["calibrate", .. resolved, .. ModelArgs, "--out", outFile]);
        Assert.True(code == 2, $"{what}: exit {code}, {stderr}");
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(outFile), what);
    }

    [Fact]
    public void UnreadableDatasetImageIsFatal()
    {
        using var data = new TempDatasetDir();
        Directory.CreateDirectory(data.PathOf("part/good"));
        Directory.CreateDirectory(data.PathOf("part/crack"));
        File.Copy(FirstNormal(), data.PathOf("part/good/000.png"));
        File.WriteAllBytes(data.PathOf("part/crack/000.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var outFile = OutFile();
        var (code, _, stderr) = InProcessCli.Run(["calibrate", "--dataset", "folder", "--data-path", data.PathOf("part"), .. ModelArgs, "--out", outFile]);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine("crack", "000.png"), stderr);
        Assert.False(File.Exists(outFile));
    }
}
