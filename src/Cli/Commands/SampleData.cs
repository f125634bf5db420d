namespace AnomalyClip.Cli.Commands;

/// <summary>
/// Finds the bundled real sample images (<c>data/samples</c>, MVTec layout, CC BY 4.0): beside the tool (copied into
/// its output at build time, so an installed tool has them) or under the repository the command runs in.
/// </summary>
internal static class SampleData
{
    public const string FolderName = "samples";

    public static string Locate()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, FolderName) };
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            candidates.Add(Path.Combine(dir.FullName, "data", FolderName));
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException($"the bundled sample images were not found (looked in {candidates[0]} and data/{FolderName} above {Directory.GetCurrentDirectory()}); give --data-path");
    }
}
