using System.IO.Compression;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using Xunit;

namespace AnomalyClip.Tests.Reliability;

/// <summary>
/// Bad inputs and misuses through the command line, each built here: the run exits with the documented code, prints
/// exactly one <c>error:</c> line naming the file or option, no stack trace, and leaves no output or temporary file.
/// </summary>
public class BadInputCliCorpusTests
{
    private static readonly string Root = Directory.CreateTempSubdirectory("cli-corpus-").FullName;

    private static string File(string name, byte[] bytes)
    {
        var path = Path.Combine(Root, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Text(string name, string text) => File(name, System.Text.Encoding.UTF8.GetBytes(text));

    private static string Folder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    private static readonly Lazy<Dictionary<string, string>> Inputs = new(() =>
    {
        string brokenModel = Folder("model-patch0");
        foreach (var f in Directory.GetFiles(Golden.TinyA)) System.IO.File.Copy(f, Path.Combine(brokenModel, Path.GetFileName(f)), overwrite: true);
        var config = System.IO.File.ReadAllText(Path.Combine(brokenModel, "open_clip_config.json"));
        System.IO.File.WriteAllText(Path.Combine(brokenModel, "open_clip_config.json"), System.Text.RegularExpressions.Regex.Replace(config, "\"patch_size\":\\s*\\d+", "\"patch_size\": 0"));
        string truncatedModel = Folder("model-truncated");
        System.IO.File.Copy(Path.Combine(Golden.TinyA, "open_clip_config.json"), Path.Combine(truncatedModel, "open_clip_config.json"), overwrite: true);
        var weights = System.IO.File.ReadAllBytes(Path.Combine(Golden.TinyA, "open_clip_model.safetensors"));
        System.IO.File.WriteAllBytes(Path.Combine(truncatedModel, "open_clip_model.safetensors"), weights[..(weights.Length / 3)]);
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(new byte[64 << 20]);
        var adapter = System.IO.File.ReadAllBytes(Golden.PathOf("aprilgan_linear_layers.safetensors"));
        var nanAdapter = Path.Combine(Root, "nan-adapter.safetensors");
        using (var layers = AnomalyClip.Adapter.Checkpoints.AdapterWeights.Load(Golden.PathOf("aprilgan_linear_layers.pth"), importAs: TinyAprilGan.Metadata))
        {
            using (TorchSharp.torch.no_grad()) layers.StateDict()["fc.2.weight"][0, 0] = float.NaN;
            layers.Save(nanAdapter);
        }
        return new Dictionary<string, string>
        {
            ["MODEL"] = Golden.TinyA,
            ["ADAPTER"] = Golden.PathOf("aprilgan_linear_layers.pth"),
            ["IMAGE"] = Golden.PathOf("dataset_test", "bottle", "test", "good", "000.png"),
            ["REFS"] = Path.Combine(Golden.Samples, "paper_bdp01", "train", "good"),
            ["DATA"] = Golden.PathOf("dataset_test"),
            ["RANDOM"] = File("random.pth", Enumerable.Range(0, 5000).Select(i => (byte)(i * 131 % 256)).ToArray()),
            ["BADMETA"] = File("badmeta.safetensors", adapter),
            ["MALFORMED"] = Text("malformed.json", "{ \"image\": 0.5,"),
            ["NULLJSON"] = Text("null.json", "null"),
            ["NOTBANK"] = Golden.PathOf("aprilgan_linear_layers.safetensors"),
            ["PATCH0"] = brokenModel,
            ["TRUNCMODEL"] = truncatedModel,
            ["GZBOMB"] = File("bomb.txt.gz", gz.ToArray()),
            ["EXISTINGDIR"] = Folder("an-existing-folder"),
            ["AFILE"] = Text("a-file.txt", "not a folder"),
            ["MISSING"] = Path.Combine(Root, "no-such-thing"),
            ["NANADAPTER"] = nanAdapter,
        };
    });

    /// <summary>(case, expected exit code, text the error line must contain, arguments with placeholders).</summary>
    public static TheoryData<string, int, string, string[]> Cases => new()
    {
        { "NaN image threshold", 2, "--image-threshold must be a finite number", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--image-threshold", "NaN", "--out", "OUT"] },
        { "negative smoothing", 2, "--smoothing must be at least 0", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--smoothing", "-3", "--out", "OUT"] },
        { "absurd image size", 2, "--image-size must be at least 32 and at most 4096, got 100000", ["predict", "IMAGE", "--model-dir", "MODEL", "--adapter", "ADAPTER", "--image-size", "100000", "--out", "OUT"] },
        { "batch size 0", 2, "--batch-size must be at least 1", ["train", "--dataset", "meta", "--data-path", "DATA", "--model-dir", "MODEL", "--batch-size", "0", "--save-path", "OUT"] },
        { "0 epochs", 2, "--epochs must be at least 1", ["train", "--dataset", "meta", "--data-path", "DATA", "--model-dir", "MODEL", "--epochs", "0", "--save-path", "OUT"] },
        { "NaN learning rate", 2, "--learning-rate must be above 0", ["train", "--dataset", "meta", "--data-path", "DATA", "--model-dir", "MODEL", "--learning-rate", "NaN", "--save-path", "OUT"] },
        { "an unknown option", 2, "unknown option '--normalise'", ["encode-text", "a photo", "--normalise", "--model-dir", "MODEL", "--out", "OUT/x.safetensors"] },
        { "a word for a number", 2, "Cannot parse argument 'abc' for option '--k'", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--k", "abc", "--out", "OUT"] },
        { "an unknown command", 2, "Unrecognized command or argument 'frobnicate'", ["frobnicate"] },
        { "missing thresholds file", 2, "thresholds file not found", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--thresholds", "MISSING", "--out", "OUT"] },
        { "malformed thresholds file", 2, "malformed thresholds JSON", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--thresholds", "MALFORMED", "--out", "OUT"] },
        { "null thresholds file", 2, "holds JSON null", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--thresholds", "NULLJSON", "--out", "OUT"] },
        { "calibrate into a folder", 2, "is a folder, expected a file name", ["calibrate", "--normals", "REFS", "--backbone", "resnet18", "--reference", "REFS", "--k", "2", "--out", "EXISTINGDIR"] },
        { "encode into a folder", 2, "is a folder, expected a file name", ["encode", "IMAGE", "--model-dir", "MODEL", "--out", "EXISTINGDIR"] },
        { "train into a file", 2, "is a file, expected a folder", ["train", "--dataset", "meta", "--data-path", "DATA", "--model-dir", "MODEL", "--save-path", "AFILE"] },
        { "cuda on a CPU build", 2, "--device cuda: this build carries the CPU libtorch only", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--device", "cuda", "--out", "OUT"] },
        { "an adapter of random bytes", 2, "random.pth", ["predict", "IMAGE", "--model-dir", "MODEL", "--adapter", "RANDOM", "--taps", "1,2,3,4", "--image-size", "48", "--out", "OUT"] },
        { "an adapter with a NaN weight", 2, "NaN or infinite values (fc.2.weight)", ["predict", "IMAGE", "--model-dir", "MODEL", "--adapter", "NANADAPTER", "--out", "OUT"] },
        { "a missing model folder", 2, "no-such-thing", ["predict", "IMAGE", "--model-dir", "MISSING", "--adapter", "ADAPTER", "--out", "OUT"] },
        { "a model config with patch 0", 2, "patch_size = 0", ["encode", "IMAGE", "--model-dir", "PATCH0", "--out", "OUT/x.safetensors"] },
        { "truncated model weights", 2, "open_clip_model.safetensors", ["encode", "IMAGE", "--model-dir", "TRUNCMODEL", "--out", "OUT/x.safetensors"] },
        { "a file that is not a bank", 2, "not an AnomalyClip memory bank", ["predict", "IMAGE", "--backbone", "resnet18", "--bank", "NOTBANK", "--out", "OUT"] },
        { "k above the references", 2, "has only 10 image(s)", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--k", "50", "--out", "OUT"] },
        { "a missing tokenizer file", 2, "--tokenizer", ["encode-text", "a photo", "--model-dir", "MODEL", "--tokenizer", "MISSING", "--out", "OUT/x.safetensors"] },
        { "a gzip bomb as tokenizer", 2, "larger than 32 MB once decompressed", ["encode-text", "a photo", "--model-dir", "MODEL", "--tokenizer", "GZBOMB", "--out", "OUT/x.safetensors"] },
        { "a missing dataset", 2, "dataset root folder not found", ["test", "--dataset", "mvtec", "--data-path", "MISSING", "--backbone", "resnet18", "--out", "OUT"] },
        { "missing stored maps", 2, "maps file not found", ["metrics", "--maps", "MISSING", "--masks", "EXISTINGDIR", "--scores", "AFILE", "--out", "OUT"] },
        { "a mistyped predict option", 2, "unknown option '--strictt'", ["predict", "IMAGE", "--strictt", "--backbone", "resnet18", "--reference", "REFS", "--out", "OUT"] },
        { "predict into a file", 2, "is a file, expected a folder", ["predict", "IMAGE", "--backbone", "resnet18", "--reference", "REFS", "--out", "AFILE"] },
        { "test into a file", 2, "is a file, expected a folder", ["test", "--dataset", "mvtec", "--data-path", "DATA", "--backbone", "resnet18", "--out", "AFILE"] },
        { "merge into a file", 2, "is a file, expected a folder", ["merge", "EXISTINGDIR", "--out", "AFILE"] },
        { "zero-shot on a CNN", 2, "few-shot only", ["predict", "IMAGE", "--backbone", "resnet18", "--out", "OUT"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExitsWithTheCodeAndOneErrorLineAndLeavesNothing(string what, int code, string message, string[] args)
    {
        var outDir = Path.Combine(Root, "out-" + Guid.NewGuid().ToString("N"));
        var resolved = args.Select(a => a.StartsWith("OUT") ? outDir + a[3..] : Inputs.Value.GetValueOrDefault(a, a)).ToArray();
        var (exit, _, stderr) = InProcessCli.Run(resolved);
        Assert.True(exit == code, $"{what}: exit {exit}, expected {code}; stderr: {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = lines.Where(l => l.StartsWith("error:")).ToArray();
        Assert.True(errors.Length == 1 || what == "an unknown command", $"{what}: {errors.Length} error lines: {stderr}");
        Assert.Contains(message, errors[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("at ") || l.Contains("Exception:"));
        if (Directory.Exists(outDir))
            Assert.Empty(Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories));
    }
}
