using AnomalyClip.Clip;

namespace AnomalyClip.Backbones;

/// <summary>
/// Where the two ONNX files of Microsoft.ML.DnnImageFeaturizer.ResNet18 are at run time. The build copies them next
/// to the app in the package's own layout (see ModelFiles.targets and buildTransitive/AnomalyClip.Backbones.targets);
/// nothing is ever downloaded.
/// </summary>
/// <param name="Model">ResNet18.onnx: the network and its weights.</param>
/// <param name="Preprocess">ResNetPreprocess.onnx: channel order and mean image.</param>
internal sealed record ResNet18Files(string Model, string Preprocess)
{
    public const string ModelRelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";
    public const string PreprocessRelativePath = "DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";
    private const string PreprocessFileName = "ResNetPreprocess.onnx";

    /// <summary>The folders searched, in order, when no model path is given.</summary>
    public static IReadOnlyList<string> DefaultFolders()
    {
        var folders = new List<string>();
        // Empty for an assembly loaded from bytes or bundled into a single-file app; the base directory covers those.
        string assembly = typeof(ResNet18Files).Assembly.Location;
        if (assembly.Length > 0 && Path.GetDirectoryName(assembly) is { Length: > 0 } folder)
        {
            folders.Add(folder);
            // Loaded straight from the NuGet package (notebooks, scripts): lib/net10.0/ beside the package's tools/ folder.
            folders.Add(Path.GetFullPath(Path.Combine(folder, "..", "..", "tools")));
        }
        if (!folders.Any(f => SameFolder(f, AppContext.BaseDirectory))) folders.Add(AppContext.BaseDirectory);
        return folders;
    }

    /// <summary>
    /// The files for <paramref name="modelPath"/>, or from the first of <paramref name="folders"/> (default:
    /// <see cref="DefaultFolders"/>) that holds the model. With an explicit model path the preprocessing graph is
    /// looked for in the package layout next to it (../ResNetPrepOnnx/), then beside it, then in the folders.
    /// </summary>
    /// <exception cref="ModelLoadException">A file is not where it should be; the message lists every place searched.</exception>
    public static ResNet18Files Locate(string? modelPath, IReadOnlyList<string>? folders = null)
    {
        folders ??= DefaultFolders();
        string model;
        var preprocessCandidates = new List<string>();
        if (modelPath is not null)
        {
            model = Path.GetFullPath(modelPath);
            if (!File.Exists(model)) throw new ModelLoadException(model, "ResNet-18 model file not found");
            string dir = Path.GetDirectoryName(model)!;
            preprocessCandidates.Add(Path.GetFullPath(Path.Combine(dir, "..", "ResNetPrepOnnx", PreprocessFileName)));
            preprocessCandidates.Add(Path.Combine(dir, PreprocessFileName));
        }
        else
        {
            var candidates = folders.Select(f => Path.GetFullPath(Path.Combine(f, ModelRelativePath))).ToList();
            model = candidates.FirstOrDefault(File.Exists)
                ?? throw new ModelLoadException(candidates.FirstOrDefault() ?? ModelRelativePath,
                    "ResNet-18 model file not found; searched " + string.Join(", ", candidates) +
                    ". The build copies it from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package into the output " +
                    "folder of every project that references AnomalyClip.Backbones; or pass modelPath.");
            // The folder the model came from first, so that the two files stay a pair.
            string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(model)!, "..", ".."));
            preprocessCandidates.Add(Path.GetFullPath(Path.Combine(root, PreprocessRelativePath)));
        }
        preprocessCandidates.AddRange(folders.Select(f => Path.GetFullPath(Path.Combine(f, PreprocessRelativePath))));
        preprocessCandidates = preprocessCandidates.Distinct().ToList();
        string preprocess = preprocessCandidates.FirstOrDefault(File.Exists)
            ?? throw new ModelLoadException(preprocessCandidates[0],
                "ResNet-18 preprocessing file (" + PreprocessFileName + ") not found; searched " + string.Join(", ", preprocessCandidates));
        return new ResNet18Files(model, preprocess);
    }

    private static bool SameFolder(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
