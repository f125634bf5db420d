using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Inference.FewShot;

namespace AnomalyClip.Cli.Commands;

/// <summary>Chooses few-shot reference images from a folder (seeded) or a list file.</summary>
internal static class ReferenceImages
{
    /// <summary>
    /// A list file gives its paths (relative ones resolved against the file's folder), all of them. A folder gives
    /// <paramref name="k"/> of its image files (searched recursively) picked by <see cref="ReferenceSampling.Choose"/>,
    /// the policy <c>test</c> uses on a dataset's train split; fewer images than k is an error.
    /// </summary>
    public static IReadOnlyList<string> Select(string source, int k, int seed)
    {
        if (File.Exists(source))
        {
            var baseDir = Path.GetDirectoryName(Path.GetFullPath(source))!;
            var listed = File.ReadAllLines(source).Select(l => l.Trim()).Where(l => l.Length > 0)
                .Select(l => Path.IsPathRooted(l) ? l : Path.Combine(baseDir, l)).ToArray();
            if (listed.Length == 0) throw new ArgumentException($"{source}: the reference list is empty");
            foreach (var f in listed)
                if (!File.Exists(f)) throw new FileNotFoundException($"{source}: listed reference {f} does not exist");
            return listed;
        }
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"{source}: no such reference folder or list file");
        if (k < 1) throw new ArgumentException($"--k must be at least 1, got {k}");
        var all = InputFiles.Expand([source]);
        if (all.Count < k) throw new ArgumentException($"--k {k}: the reference folder {source} has only {all.Count} image(s)");
        return ReferenceSampling.Choose(all, k, seed);
    }
}
