using AnomalyClip.Cli.Infrastructure;

namespace AnomalyClip.Cli.Commands;

/// <summary>Chooses few-shot reference images from a folder (seeded) or a list file.</summary>
internal static class ReferenceImages
{
    /// <summary>
    /// A list file gives its paths (relative ones resolved against the file's folder), all of them. A folder gives
    /// <paramref name="k"/> images drawn WITHOUT replacement with <c>System.Random(seed)</c> from its sorted image files
    /// (all of them when it has k or fewer). APRIL-GAN draws with replacement from torch's RNG stream, which cannot be
    /// reproduced outside its Python run: pass its k_shot.txt as a list to reuse its exact choice.
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
        if (k < 1) throw new ArgumentException("--k must be at least 1");
        var all = InputFiles.Expand([source]).ToArray();
        if (all.Length <= k) return all;
        new Random(seed).Shuffle(all);
        return all.Take(k).Order(StringComparer.Ordinal).ToArray();
    }
}
