using System.Text.RegularExpressions;
using AnomalyClip.Clip.Preprocessing;

namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Expands command-line inputs to image files: a file is taken as is, a folder contributes its image files
/// recursively (sorted), and a glob (<c>*</c>, <c>?</c>, <c>**</c>) matches files under its fixed prefix.
/// </summary>
internal static class InputFiles
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            IEnumerable<string> files;
            if (File.Exists(input)) files = [input];
            else if (Directory.Exists(input)) files = ImageFiles.Under(input);
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
        return ImageFiles.Under(root, imagesOnly: false).Where(f => regex.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')));
    }
}
