namespace AnomalyClip.Training.Datasets;

/// <summary>File-system conventions shared by the folder-based readers.</summary>
internal static class DatasetFiles
{
    /// <summary>Extensions (lower case) of the image formats ImageSharp 2.x decodes; other files in image folders are not images.</summary>
    private static readonly HashSet<string> ImageExtensions =
        new(StringComparer.Ordinal) { ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".tga", ".gif" };

    /// <summary>The name of the defect folder holding normal images.</summary>
    public const string Good = "good";

    /// <summary>
    /// Image files directly in <paramref name="dir"/>, sorted by ordinal (= Python's <c>sorted</c> on code points).
    /// Hidden files (leading dot) and files with a non-image extension are left out, so that stray <c>.DS_Store</c>
    /// or <c>Thumbs.db</c> files do not become samples as they would with the reference's <c>os.listdir</c>.
    /// </summary>
    public static List<string> SortedImageNames(string dir)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith('.')) continue;
            if (ImageExtensions.Contains(Path.GetExtension(name).ToLowerInvariant())) names.Add(name);
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Non-hidden sub-folder names of <paramref name="dir"/>, sorted by ordinal.</summary>
    public static List<string> SortedFolderNames(string dir)
    {
        var names = Directory.EnumerateDirectories(dir).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// Defect folders in reading order: <c>good</c> first, then the others by ordinal. The reference takes
    /// <c>os.listdir</c> order, which depends on the file system; this order is deterministic and matches the
    /// reference's own meta.json files, which list <c>good</c> first.
    /// </summary>
    public static List<string> DefectFolderOrder(string dir)
    {
        var names = SortedFolderNames(dir);
        if (names.Remove(Good)) names.Insert(0, Good);
        return names;
    }

    /// <summary>Joins relative path parts with <c>/</c>, the separator meta.json and the VisA CSV use.</summary>
    public static string Relative(params string[] parts) => string.Join('/', parts);

    /// <summary>The absolute path of a <c>/</c>-separated path relative to <paramref name="root"/>.</summary>
    public static string Absolute(string root, string relative) =>
        Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));

    /// <summary>
    /// Whether a mask file name belongs to an image: its stem is the image's stem, or the image's stem followed by a
    /// separator (<c>000_mask</c>, <c>000-gt</c>, <c>000.mask</c>). A bare prefix is not enough: <c>10_mask</c> does not
    /// belong to <c>1.png</c>.
    /// </summary>
    public static bool MaskBelongsTo(string maskName, string imageName)
    {
        var imageStem = Path.GetFileNameWithoutExtension(imageName);
        var maskStem = Path.GetFileNameWithoutExtension(maskName);
        if (maskStem == imageStem) return true;
        return maskStem.Length > imageStem.Length && maskStem.StartsWith(imageStem, StringComparison.Ordinal)
            && maskStem[imageStem.Length] is '_' or '-' or '.' or ' ';
    }

    /// <summary>Throws when <paramref name="root"/> is not an existing folder; returns its absolute path.</summary>
    public static string RequireRoot(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
            throw new DatasetException(full, File.Exists(full) ? "is a file, expected the dataset root folder" : "dataset root folder not found");
        return full;
    }
}
