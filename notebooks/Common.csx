// Shared by the notebooks, loaded with `#load "Common.csx"` right after the package references: the repository root,
// the step that makes TorchSharp's native library load inside a notebook, where the ResNet-18 model files are, inline
// images, plain-line progress reports (a headless run shows stream output, not widgets), and the paper's reported means
// with the side-by-side comparison (notebooks 01-03).
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using AnomalyClip.Inference.Metrics;
using AnomalyClip.Training.Evaluation;
using AnomalyClip.Training.Trainer;

// The repository root: the nearest folder at or above the working directory (the notebook's folder when Jupyter or VS
// Code runs it, wherever nbconvert was started) holding AnomalyClip.sln. The notebooks' relative paths are relative to it.
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

// ---------------------------------------------------------------------------------------------------------------------
// TorchSharp's native library in a notebook.
//
// An app gets TorchSharp's libLibTorchSharp.so and libtorch's libraries copied next to it by its build, and on Debian 12
// the AnomalyClip.Clip package's build step marks the library's one GLIBCXX_3.4.32 requirement weak (Debian 12's
// libstdc++ stops at 3.4.30; the only symbol of that version is a GCC 13 marker that is never called). A notebook has no
// build: .NET Interactive loads the assemblies straight from the NuGet packages folder, where libtorch and TorchSharp's
// native library sit in two different packages, unpatched. LoadTorchNative() does, once per kernel and before the first
// torch call, what the build would have done:
//   1. loads libtorch's libraries from the libtorch package (libc10, libtorch_cpu, libtorch; libgomp is found beside them);
//   2. loads libLibTorchSharp.so from the TorchSharp package as shipped; where the system's libstdc++ has GLIBCXX_3.4.32
//      (Debian 13, Ubuntu 24.04, ...) that is all;
//   3. where it fails for want of GLIBCXX_3.4.32, writes a copy with that one requirement marked weak (VER_FLG_WEAK in
//      .gnu.version_r, nothing else changed) to a folder under the temp directory and loads the copy. The package folder
//      itself is never modified.
// TorchSharp then finds the library already loaded and uses it. The libtorch package must be one whose libraries are
// plain files in runtimes/linux-x64/native (the CPU package is; the CUDA package ships its largest library in fragments
// that only TorchSharp's own loader reassembles).
// ---------------------------------------------------------------------------------------------------------------------
static string LoadTorchNative(string libtorchPackage = "libtorch-cpu-linux-x64", string libtorchVersion = "2.10.0")
{
    if (!OperatingSystem.IsLinux()) return "TorchSharp natives: left to TorchSharp (not Linux)";
    // TorchSharp.dll is <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll; typeof() does not start torch.
    string managed = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location)
        ?? throw new InvalidOperationException("TorchSharp.dll has no location (loaded from bytes?)");
    string torchSharpPackage = Path.GetFullPath(Path.Combine(managed, "..", ".."));
    string packagesRoot = Path.GetFullPath(Path.Combine(torchSharpPackage, "..", ".."));
    string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
    string shipped = Path.Combine(torchSharpPackage, "runtimes", rid, "native", "libLibTorchSharp.so");
    string libtorchDir = Path.Combine(packagesRoot, libtorchPackage.ToLowerInvariant(), libtorchVersion, "runtimes", rid, "native");
    if (!File.Exists(shipped))
        throw new FileNotFoundException($"{shipped} not found: TorchSharp was not loaded from a NuGet packages folder (reference it with #r \"nuget: ...\")", shipped);
    foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
    {
        string path = Path.Combine(libtorchDir, name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found: reference #r \"nuget: {libtorchPackage}, {libtorchVersion}\" in the same cell as the AnomalyClip packages", path);
        NativeLibrary.Load(path);
    }
    try
    {
        NativeLibrary.Load(shipped);
        return $"TorchSharp natives: {shipped} as shipped, libtorch from {libtorchDir}";
    }
    catch (DllNotFoundException e) when (e.Message.Contains("GLIBCXX_3.4.32"))
    {
        // Fall through: this system's libstdc++ is older than the library asks for (Debian 12 and the like).
    }
    byte[] elf = File.ReadAllBytes(shipped);
    int marked = MarkVersionNeedWeak(elf, "GLIBCXX_3.4.32");
    if (marked == 0) throw new InvalidOperationException($"{shipped} needs GLIBCXX_3.4.32 but has no such entry in .gnu.version_r to mark weak");
    string hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(elf))[..16].ToLowerInvariant();
    string dir = Path.Combine(Path.GetTempPath(), "anomalyclip-notebooks", "libtorchsharp-" + hash);
    string patched = Path.Combine(dir, "libLibTorchSharp.so");
    if (!File.Exists(patched))
    {
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $"libLibTorchSharp.so.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temp, elf);
        File.Move(temp, patched, overwrite: true); // atomic: two kernels starting at once both end with a whole file
    }
    NativeLibrary.Load(patched);
    return $"TorchSharp natives: {patched} (the package's copy with GLIBCXX_3.4.32 marked weak for this libstdc++), libtorch from {libtorchDir}";
}

// Sets VER_FLG_WEAK on every entry named `version` in the version-needs section (SHT_GNU_verneed) of a 64-bit
// little-endian ELF image, in place; returns how many entries it marked (0: none found, or not such an ELF file).
static int MarkVersionNeedWeak(byte[] elf, string version)
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;
    if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2 || elf[5] != 1) return 0;
    ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(checked((int)at), 2));
    uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(checked((int)at), 4));
    long I64(long at) => BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(checked((int)at), 8));
    string CString(long at)
    {
        int start = checked((int)at), end = Array.IndexOf(elf, (byte)0, start);
        return end < 0 ? "" : Encoding.ASCII.GetString(elf, start, end - start);
    }

    long sectionHeaders = I64(0x28);
    int headerSize = U16(0x3A), sectionCount = U16(0x3C);
    int marked = 0;
    for (int s = 0; s < sectionCount; s++)
    {
        long header = sectionHeaders + (long)s * headerSize;
        if (U32(header + 4) != ShtGnuVerneed) continue;
        long entry = I64(header + 24);                                          // sh_offset
        long strings = I64(sectionHeaders + (long)U32(header + 40) * headerSize + 24); // sh_link: the string table's offset
        for (uint i = 0, entries = U32(header + 44); i < entries; i++)          // sh_info: number of Elf64_Verneed entries
        {
            long aux = entry + U32(entry + 8);                                  // vn_aux
            for (int j = 0, count = U16(entry + 2); j < count; j++)             // vn_cnt Elf64_Vernaux entries
            {
                if (CString(strings + U32(aux + 8)) == version && (U16(aux + 4) & VerFlagWeak) == 0)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(checked((int)aux + 4), 2), (ushort)(U16(aux + 4) | VerFlagWeak));
                    marked++;
                }
                if (U32(aux + 12) == 0) break;                                  // vna_next
                aux += U32(aux + 12);
            }
            if (U32(entry + 12) == 0) break;                                    // vn_next
            entry += U32(entry + 12);
        }
    }
    return marked;
}

// ResNet18.onnx as the AnomalyClip.Backbones package carries it (tools/DnnImageModels/, with ResNetPreprocess.onnx in its
// sibling folder). An app's build copies both next to the app, where Backbone.ResNet18() looks by default; a notebook
// has no build, so it passes this path.
static string ResNet18ModelFile()
{
    string lib = Path.GetDirectoryName(typeof(AnomalyClip.Backbones.Backbone).Assembly.Location)!; // <package>/lib/net10.0
    return Path.GetFullPath(Path.Combine(lib, "..", "..", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
}

// A PNG as an <img> element with a data: URI, shown with .DisplayAs("text/html"): the image is stored inside the notebook.
static string ImgTag(byte[] png, int width, string title = "") =>
    $"<img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{width}\" title=\"{System.Net.WebUtility.HtmlEncode(title)}\"/>";

// ---------------------------------------------------------------------------------------------------------------------
// Progress lines.
// ---------------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------------
// The paper's numbers (notebooks 01-03).
// ---------------------------------------------------------------------------------------------------------------------

// The paper's mean over classes in % (APRIL-GAN, Tables 3-4), in the paper's column order. 0-shot rows are
// cross-dataset: "MVTec AD" used the weights trained on VisA and vice versa. The 4-shot rows are the paper's mean over
// seeds; the per-class tables and the standard deviations were not retrieved.
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
