namespace AnomalyClip.Cli.Infrastructure;

/// <summary>
/// The files a command writes into its output folder, owned by one run: an earlier run's outputs there are removed
/// when this run starts writing (so a rerun never mixes old and new overlays), and if this run fails before
/// <see cref="Keep"/> the pictures it wrote are removed again (so an aborted run leaves no overlays without results).
/// Only the tool's own names are touched: the listed files, and PNGs under the listed picture folders.
/// </summary>
internal sealed class RunOutputs : IDisposable
{
    private readonly string _folder;
    private readonly string[] _pictureFolders;
    private bool _kept;

    /// <summary>Removes <paramref name="files"/> and the PNGs under <paramref name="pictureFolders"/> in <paramref name="folder"/>.</summary>
    /// <param name="folder">The run's output folder (already checked by <see cref="OutputPaths.Folder"/>).</param>
    /// <param name="files">Result file names the command writes, relative to <paramref name="folder"/>.</param>
    /// <param name="pictureFolders">Sub-folders the command fills with per-image PNGs.</param>
    public RunOutputs(string folder, IEnumerable<string> files, IReadOnlyList<string> pictureFolders)
    {
        _folder = folder;
        _pictureFolders = [.. pictureFolders];
        foreach (var name in files) File.Delete(Path.Combine(folder, name));
        RemovePictures();
    }

    /// <summary>The run completed: its outputs stay.</summary>
    public void Keep() => _kept = true;

    /// <summary>Without <see cref="Keep"/>, removes the pictures this run wrote.</summary>
    public void Dispose()
    {
        if (!_kept) RemovePictures();
    }

    private void RemovePictures()
    {
        foreach (var sub in _pictureFolders)
        {
            var dir = Path.Combine(_folder, sub);
            if (!Directory.Exists(dir)) continue;
            foreach (var png in Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories)) File.Delete(png);
            RemoveEmptyFolders(dir);
        }
    }

    private static void RemoveEmptyFolders(string dir)
    {
        foreach (var child in Directory.EnumerateDirectories(dir)) RemoveEmptyFolders(child);
        if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
    }
}
