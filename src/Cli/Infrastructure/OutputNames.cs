namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// Output names of input image files (tensor names in <c>encode</c>'s file, file stems of <c>predict</c>'s outputs). An
/// image is named by its file name without extension; images whose names collide (e.g. <c>good/000.png</c> and
/// <c>defect/000.png</c>) are all named instead by their last k path components joined with a separator, with the
/// smallest k (≥ 2) that tells every member of that group apart (<c>good/000</c>, <c>defect/000</c>). If stems alone never differ (<c>a/x.png</c> and <c>a/x.jpg</c>) the file
/// names with extension are used the same way. The result depends only on the set of paths, not on their order.
/// </summary>
internal static class OutputNames
{
    /// <summary>One unique name per path, in the order given; components are joined with <paramref name="separator"/>.</summary>
    /// <exception cref="ArgumentException">The same file is given twice.</exception>
    public static IReadOnlyList<string> For(IReadOnlyList<string> paths, char separator = '/')
    {
        var full = paths.Select(Path.GetFullPath).ToList();
        var duplicate = full.GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"{duplicate.Key}: image given more than once");
        var names = new string[full.Count];
        foreach (var group in Enumerable.Range(0, full.Count).GroupBy(i => Path.GetFileNameWithoutExtension(full[i]), StringComparer.Ordinal))
        {
            var members = group.ToList();
            if (members.Count == 1)
            {
                names[members[0]] = group.Key;
                continue;
            }
            var chosen = Disambiguate(members.Select(i => Components(full[i], keepExtension: false)).ToList(), separator)
                ?? Disambiguate(members.Select(i => Components(full[i], keepExtension: true)).ToList(), separator)!;
            for (int m = 0; m < members.Count; m++) names[members[m]] = chosen[m];
        }
        return names;
    }

    /// <summary>The folder names from the root down, then the file name (with or without its extension).</summary>
    private static string[] Components(string fullPath, bool keepExtension)
    {
        var dir = Path.GetDirectoryName(fullPath) ?? "";
        var folders = dir.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        return [.. folders, keepExtension ? Path.GetFileName(fullPath) : Path.GetFileNameWithoutExtension(fullPath)];
    }

    /// <summary>Names from the smallest common number of trailing components that are all distinct; null if none is.</summary>
    private static List<string>? Disambiguate(List<string[]> components, char separator)
    {
        int deepest = components.Max(c => c.Length);
        for (int k = 2; k <= deepest; k++)
        {
            var names = components.Select(c => string.Join(separator, c[Math.Max(0, c.Length - k)..])).ToList();
            if (names.Distinct(StringComparer.Ordinal).Count() == names.Count) return names;
        }
        return null;
    }
}
