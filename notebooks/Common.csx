// Shared by the notebooks, loaded with `#load "Common.csx"` after the AnomalyClip assemblies are referenced:
// the paper's reported means, the side-by-side comparison with them, and plain-line progress reports (a
// headless run shows stream output, not widgets).
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Training.Evaluation;
using AnomalyClip.Training.Trainer;

// The repository root: the nearest folder at or above the working directory (the notebook's folder when Jupyter runs
// it, wherever nbconvert was started) holding AnomalyClip.sln. The notebooks' relative paths are relative to it, so
// ../shared means what it means to the tests.
static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "AnomalyClip.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException($"no AnomalyClip.sln at or above {Directory.GetCurrentDirectory()}: open the notebook from the repository's notebooks/ folder");
}

var RepoRoot = FindRepoRoot();

// A parameter path as an absolute path: relative ones are taken from the repository root, absolute ones kept.
string InRepo(string path) => Path.GetFullPath(Path.Combine(RepoRoot, path));

// A run's display name as a folder name that needs no quoting in a shell: "VisA → MVTec AD" → "visa-mvtec-ad".
static string Slug(string name) => System.Text.RegularExpressions.Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

// The paper's mean over classes in % (Tables 3-4 as cited in spec/aprilgan.md §10), in the paper's column order.
// 0-shot rows are cross-dataset: "MVTec AD" used the weights trained on VisA and vice versa. The 4-shot rows are
// the paper's mean over seeds; the per-class tables and the standard deviations were not retrieved.
var PaperColumns = new (string Name, Func<ClassMetrics, double> Ours)[]
{
    ("AUROC-cls", m => m.ImageAuroc), ("F1max-cls", m => m.ImageF1Max), ("AP-cls", m => m.ImageAp),
    ("AUROC-seg", m => m.PixelAuroc), ("F1max-seg", m => m.PixelF1Max), ("AP-seg", m => m.PixelAp),
    ("PRO", m => m.Aupro), // APRIL-GAN's own AUPRO (200 thresholds, FPR < 0.3 min-max rescaled), not the standard one
};
var PaperNumbers = new Dictionary<(string Dataset, string Setting), double[]>
{
    [("MVTec AD", "0-shot")] = [86.1, 90.4, 93.5, 87.6, 43.3, 40.8, 44.0],
    [("MVTec AD", "4-shot")] = [92.8, 92.8, 96.3, 95.9, 56.9, 54.5, 91.8],
    [("VisA", "0-shot")] = [78.0, 78.7, 81.4, 94.2, 32.3, 25.7, 86.8],
    [("VisA", "4-shot")] = [92.6, 88.4, 94.5, 96.2, 40.0, 32.2, 90.2],
};

// A fraction as the paper prints it (×100, one decimal, ties to even as numpy's round); NaN stays NaN.
static double Percent(double fraction) => Math.Round(fraction * 100 * 10, MidpointRounding.ToEven) / 10;

static string Signed(double v) => double.IsNaN(v) ? "nan" : v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture);

static string Plain(double v) => double.IsNaN(v) ? "nan" : v.ToString("0.0", CultureInfo.InvariantCulture);

// A Markdown table: one row per paper column, the paper's value, then each of ours with its difference
// (ours − paper, after rounding both to the paper's one decimal).
string CompareWithPaper(string dataset, string setting, params (string Label, ClassMetrics Mean)[] ours)
{
    var paper = PaperNumbers[(dataset, setting)];
    var sb = new StringBuilder($"**{dataset}, {setting}**: paper vs ours (mean over classes, %)\n\n| metric | paper |");
    foreach (var (label, _) in ours) sb.Append($" {label} | Δ |");
    sb.Append("\n|:--|--:|").Append(string.Concat(Enumerable.Repeat("--:|--:|", ours.Length))).Append('\n');
    for (int i = 0; i < PaperColumns.Length; i++)
    {
        sb.Append($"| {PaperColumns[i].Name} | {Plain(paper[i])} |");
        foreach (var (_, mean) in ours)
        {
            double v = Percent(PaperColumns[i].Ours(mean));
            sb.Append($" {Plain(v)} | {Signed(v - paper[i])} |");
        }
        sb.Append('\n');
    }
    return sb.ToString();
}

// Forwards reports to an action on the reporting thread (System.Progress would post them out of order).
sealed class LineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

// One line per finished class of an evaluation run.
IProgress<EvaluationProgress> ClassLines(Stopwatch clock) => new LineProgress<EvaluationProgress>(p =>
{
    if (p.ImageInClass == p.ImagesInClass)
        Console.WriteLine($"  [{p.ClassIndex + 1}/{p.ClassCount}] {p.ClassName}: {p.ImagesInClass} images ({p.ImagesDone}/{p.ImagesTotal} done, {clock.Elapsed:hh\\:mm\\:ss})");
});

// One line per finished epoch of a training run, plus one every `every` steps for long epochs.
IProgress<TrainingProgress> EpochLines(int every = 50) => new LineProgress<TrainingProgress>(p =>
{
    if (p.Step == p.StepsPerEpoch || p.Step % every == 0)
        Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch}: loss {p.Loss:F4} (epoch mean {p.MeanEpochLoss:F4}), elapsed {p.Elapsed:hh\\:mm\\:ss}, ETA {p.Remaining:hh\\:mm\\:ss}");
});
