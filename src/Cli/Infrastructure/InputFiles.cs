using System.Text.RegularExpressions;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Expands command-line inputs to image files: a file is taken as is, a folder contributes its image files
/// recursively (sorted), and a glob (<c>*</c>, <c>?</c>, <c>**</c>) matches files under its fixed prefix.
/// </summary>
internal static class InputFiles
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff" };

    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            IEnumerable<string> files;
            if (File.Exists(input)) files = [input];
            else if (Directory.Exists(input)) files = ImagesUnder(input);
            else if (input.IndexOfAny(['*', '?']) >= 0) files = Glob(input);
            else throw new FileNotFoundException($"{input}: no such file, folder or matching glob");
            var matched = false;
            foreach (var f in files)
            {
                matched = true;
                if (seen.Add(Path.GetFullPath(f))) result.Add(f);
            }
            if (!matched) throw new FileNotFoundException($"{input}: matched no image files");
        }
        return result;
    }

    private static IEnumerable<string> ImagesUnder(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Glob(string pattern)
    {
        var normalized = pattern.Replace('\\', '/');
        int firstWild = normalized.IndexOfAny(['*', '?']);
        int cut = normalized.LastIndexOf('/', firstWild);
        var root = cut < 0 ? "." : normalized[..cut];
        if (root.Length == 0) root = "/";
        if (!Directory.Exists(root)) return [];
        var rest = cut < 0 ? normalized : normalized[(cut + 1)..];
        var regex = new Regex("^" + Regex.Escape(rest).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$");
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => regex.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// Output names for inputs: the file stem, or, where stems collide, the path relative to the inputs' common
    /// folder with separators turned into '_' (e.g. <c>good_000</c> and <c>crack_000</c>).
    /// </summary>
    public static IReadOnlyList<string> UniqueStems(IReadOnlyList<string> files)
    {
        var stems = files.Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        var collide = stems.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        if (collide.Count == 0) return stems;
        var full = files.Select(Path.GetFullPath).ToArray();
        var common = CommonFolder(full);
        return full.Select((f, i) => collide.Contains(stems[i])
            ? Path.ChangeExtension(Path.GetRelativePath(common, f), null)!.Replace(Path.DirectorySeparatorChar, '_').Replace('/', '_')
            : stems[i]).ToArray();
    }

    private static string CommonFolder(IReadOnlyList<string> paths)
    {
        var parts = paths.Select(p => Path.GetDirectoryName(p)!.Split(Path.DirectorySeparatorChar)).ToArray();
        int n = 0;
        while (parts.All(p => p.Length > n && p[n] == parts[0][n])) n++;
        return string.Join(Path.DirectorySeparatorChar, parts[0].Take(n)) is { Length: > 0 } c ? c : Path.DirectorySeparatorChar.ToString();
    }
}
