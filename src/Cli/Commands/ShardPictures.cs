using AnomalyClip.Clip.IO;

namespace AnomalyClip.Cli.Commands;

/// <summary>Copies the per-image pictures (overlays, masks, ...) of a run's shards into the merged folder.</summary>
internal static class ShardPictures
{
    /// <summary>
    /// Copies every file under <paramref name="folders"/> of each shard to the same place under <paramref name="outDir"/>,
    /// each atomically, after checking them all: images of different shards never share a name, so two shards holding
    /// one path overlap. Hidden files (an interrupted write's temporaries) are left out.
    /// </summary>
    /// <exception cref="InvalidDataException">Two shards hold the same picture.</exception>
    public static void Copy(IReadOnlyList<string> shardDirectories, IReadOnlyList<string> folders, string outDir)
    {
        var from = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in shardDirectories)
            foreach (var folder in folders.Select(f => Path.Combine(dir, f)).Where(Directory.Exists))
                foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')))
                {
                    var relative = Path.GetRelativePath(dir, file);
                    if (!from.TryAdd(relative, dir)) throw new InvalidDataException($"{from[relative]} and {dir} both hold {relative}: the shards overlap");
                }
        foreach (var (relative, dir) in from)
            AtomicFile.Write(Path.Combine(outDir, relative), s =>
            {
                using var source = File.OpenRead(Path.Combine(dir, relative));
                source.CopyTo(s);
            });
    }
}
