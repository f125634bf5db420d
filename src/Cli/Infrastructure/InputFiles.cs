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

    // Symbolic links to folders are not followed: a link back up the tree would otherwise be walked until the path
    // grows too long.
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
    };

    private static IEnumerable<string> ImagesUnder(string dir) =>
        Directory.EnumerateFiles(dir, "*", Walk)
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
        return Directory.EnumerateFiles(root, "*", Walk)
            .Where(f => regex.IsMatch(Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Order(StringComparer.Ordinal);
    }
}
