namespace AnomalyClip.Clip.Preprocessing;

/// <summary>The image files of a folder tree, as the CLI's inputs and the server's reference folders take them.</summary>
public static class ImageFiles
{
    /// <summary>File extensions of the formats <see cref="ImageDecoder"/> reads (case-insensitive).</summary>
    public static IReadOnlySet<string> Extensions { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff" };

    // Symbolic links to folders are not followed: a link back up the tree would otherwise be walked until the path
    // grows too long.
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
    };

    /// <summary>The files under <paramref name="folder"/> (recursively, not through directory links, hidden ones left out), sorted by path.</summary>
    /// <param name="folder">The folder to search.</param>
    /// <param name="imagesOnly">Keep only files with one of the <see cref="Extensions"/>.</param>
    public static IEnumerable<string> Under(string folder, bool imagesOnly = true) =>
        Directory.EnumerateFiles(folder, "*", Walk)
            .Where(f => (!imagesOnly || Extensions.Contains(Path.GetExtension(f))) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
}
