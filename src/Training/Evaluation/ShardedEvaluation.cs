using System.Collections.ObjectModel;
using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// Merges the shards of an evaluation (<see cref="EvaluationRun.RunShard"/>) into the result of the whole run: the
/// shards' per-image maps, labels and scores go, class by class in run order, through the same code as an unsharded
/// <see cref="EvaluationRun"/> (masks, metric accumulator, transductive scores over each whole class), so the merged
/// result equals an unsharded run's exactly when the shards computed the same maps (same detector and settings; a
/// batch size of 1, as batches fall differently in shards and batched fp32 kernels may round differently). The masks
/// are read from the dataset, so its root (recorded by the shards) must be readable where the merge runs.
/// </summary>
public static class ShardedEvaluation
{
    /// <summary>Reads and checks the shards in <paramref name="shardDirectories"/> and computes the whole run's metrics.</summary>
    /// <param name="shardDirectories">The output folder of every shard, in any order.</param>
    /// <param name="decoder">Decodes the masks; the default decoder (the CLI's detectors use it too) when null.</param>
    /// <exception cref="ArgumentException">No folder is given.</exception>
    /// <exception cref="InvalidDataException">A folder has no manifest (its shard did not finish); shards are missing or
    /// given twice; shards disagree on the split, the dataset, the settings, the references or the image list; or a
    /// shard's images are not its part of the run.</exception>
    /// <exception cref="DatasetException">A reference image is no longer under the dataset root.</exception>
    /// <exception cref="AnomalyClip.Clip.ImageLoadException">A mask cannot be decoded.</exception>
    /// <exception cref="AnomalyClip.Clip.ModelLoadException">A shard's maps file is truncated or corrupt.</exception>
    public static EvaluationResult Merge(IReadOnlyList<string> shardDirectories, ImageDecoder? decoder = null)
    {
        ArgumentNullException.ThrowIfNull(shardDirectories);
        var shards = shardDirectories.Select(d => (Directory: Path.GetFullPath(d), Manifest: EvaluationShard.Read(d))).ToArray();
        Shard.CheckComplete(shards.Select(s => (s.Manifest.Shard, s.Directory)).ToArray());
        var first = shards[0];
        foreach (var s in shards.Skip(1)) CheckSameRun(first.Directory, first.Manifest, s.Directory, s.Manifest);
        foreach (var s in shards) CheckPart(s.Directory, s.Manifest);

        var run = first.Manifest;
        decoder ??= new ImageDecoder();
        var maps = new List<MapFile>();
        try
        {
            var mapFiles = shards.ToDictionary(s => s.Manifest.Shard.Index, s =>
            {
                var file = new MapFile(Path.Combine(s.Directory, EvaluationShard.MapsFile));
                maps.Add(file);
                return file;
            });
            var images = shards.SelectMany(s => s.Manifest.Images.Select(image => (image, Maps: mapFiles[s.Manifest.Shard.Index])))
                .OrderBy(x => x.image.Index).ToArray();
            var results = new List<ClassEvaluation>();
            var lines = new List<string>();
            if (run.IgnoredKShotLines > 0) lines.Add($"k-shot file: {run.IgnoredKShotLines} line(s) of classes not evaluated left out");
            foreach (var cls in run.Classes)
            {
                var ofClass = images.Where(x => x.image.ClassName == cls.Name).ToArray();
                var builder = new ClassEvaluationBuilder(cls.Name, ofClass.Length, run.MapSize, decoder, run.Transductive);
                foreach (var (image, file) in ofClass)
                {
                    var (values, height, width) = file.Read(image.Map);
                    builder.Add(Sample(run.DatasetRoot, image), values, height, width, image.Score, image.TextProbability, image.MapMax);
                }
                var evaluation = builder.Build(cls.References ?? []);
                results.Add(evaluation);
                var line = $"{evaluation.ClassName}: {evaluation.Images} test images ({evaluation.Anomalous} anomalous)";
                if (cls.References is not null) line += $", {evaluation.References.Count} references";
                if (!evaluation.PixelMetricsAvailable) line += ", pixel metrics NaN: an anomalous image has no mask";
                lines.Add(line);
            }
            lines.Add($"merged from {shards.Length} shard(s): {string.Join(", ", shards.OrderBy(s => s.Manifest.Shard.Index).Select(s => s.Directory))}");
            var references = run.Classes[0].References is null ? null : ReadReferences(first.Directory, run);
            return new EvaluationResult(results, run.Settings, EvaluationResult.FormatLog(run.Settings, lines), references);
        }
        finally
        {
            foreach (var file in maps) file.Dispose();
        }
    }

    /// <summary>The sample a shard image record stands for, with absolute paths under the dataset root.</summary>
    private static AnomalySample Sample(string root, EvaluationShardImage image) => new(
        DatasetFiles.Absolute(root, image.RelativeImagePath),
        image.RelativeMaskPath is null ? null : DatasetFiles.Absolute(root, image.RelativeMaskPath),
        image.ClassName, image.DefectType, image.IsAnomalous, image.RelativeImagePath, image.RelativeMaskPath);

    private static void CheckSameRun(string dirA, EvaluationShard a, string dirB, EvaluationShard b)
    {
        string Differs(string what) => $"{dirA} (shard {a.Shard}) and {dirB} (shard {b.Shard}) differ in {what}: they are shards of different runs";
        if (a.DatasetRoot != b.DatasetRoot) throw new InvalidDataException(Differs($"the dataset ({a.DatasetRoot} vs {b.DatasetRoot})"));
        if (a.ImagesTotal != b.ImagesTotal || a.ImagesFingerprint != b.ImagesFingerprint)
            throw new InvalidDataException(Differs($"the test images ({a.ImagesTotal} vs {b.ImagesTotal} images; the dataset changed between the shards' runs?)"));
        if (!a.Settings.SequenceEqual(b.Settings))
        {
            var key = a.Settings.Concat(b.Settings).Select(kv => kv.Key).FirstOrDefault(k => Value(a.Settings, k) != Value(b.Settings, k));
            throw new InvalidDataException(Differs(key is null ? "the order of their settings"
                : $"setting '{key}' ({Value(a.Settings, key) ?? "absent"} vs {Value(b.Settings, key) ?? "absent"})"));
        }
        if (a.MapSize != b.MapSize || a.Transductive != b.Transductive) throw new InvalidDataException(Differs("the map size or the image score"));
        if (!a.Classes.Select(c => (c.Name, c.Images)).SequenceEqual(b.Classes.Select(c => (c.Name, c.Images))))
            throw new InvalidDataException(Differs("the classes"));
        for (int i = 0; i < a.Classes.Count; i++)
        {
            var (ra, rb) = (a.Classes[i].References, b.Classes[i].References);
            if (ra is null != rb is null || ra is not null && !ra.SequenceEqual(rb!))
                throw new InvalidDataException(Differs($"the few-shot references of class '{a.Classes[i].Name}' ({Join(ra)} vs {Join(rb)})"));
        }
        if (a.IgnoredKShotLines != b.IgnoredKShotLines) throw new InvalidDataException(Differs("the k-shot file"));
    }

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> settings, string key) =>
        settings.Where(kv => kv.Key == key).Select(kv => kv.Value).FirstOrDefault();

    private static string Join(IReadOnlyList<string>? paths) => paths is null ? "none" : string.Join(", ", paths);

    /// <summary>A shard must hold exactly its block of the run's image list, each image with its map.</summary>
    private static void CheckPart(string dir, EvaluationShard shard)
    {
        var (start, end) = shard.Shard.Range(shard.ImagesTotal);
        if (!shard.Images.Select(i => i.Index).SequenceEqual(Enumerable.Range(start, end - start)))
            throw new InvalidDataException($"{dir}: shard {shard.Shard} holds {shard.Images.Count} image(s), not images {start}..{end - 1} of {shard.ImagesTotal} (its part of the run)");
        var classes = shard.Classes.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var stray = shard.Images.FirstOrDefault(i => !classes.Contains(i.ClassName));
        if (stray is not null) throw new InvalidDataException($"{dir}: image {stray.RelativeImagePath} is of class '{stray.ClassName}', not a class of the run");
    }

    /// <summary>
    /// The references as <see cref="FewShotReferences"/>, read back from the shard's <c>k_shot.txt</c> with the
    /// parser every k-shot file goes through, against the manifest's class lists; they must agree with the manifest.
    /// </summary>
    private static FewShotReferences ReadReferences(string dir, EvaluationShard run)
    {
        var empty = new List<AnomalySample>();
        var train = run.Classes.ToDictionary(c => c.Name, c => (IReadOnlyList<AnomalySample>)c.References!
            .Select(r => new AnomalySample(DatasetFiles.Absolute(run.DatasetRoot, r), null, c.Name, DatasetFiles.Good, false, r, null)).ToArray());
        var test = run.Classes.ToDictionary(c => c.Name, _ => (IReadOnlyList<AnomalySample>)empty);
        var dataset = new AnomalyDataset(run.DatasetRoot, run.Classes.Select(c => c.Name).ToArray(),
            new ReadOnlyDictionary<string, IReadOnlyList<AnomalySample>>(train), new ReadOnlyDictionary<string, IReadOnlyList<AnomalySample>>(test));
        var path = Path.Combine(dir, FewShotReferences.FileName);
        var references = FewShotReferences.Read(path, dataset, dataset.ClassNames);
        foreach (var c in run.Classes)
            if (!references.ByClass[c.Name].SequenceEqual(c.References!))
                throw new InvalidDataException($"{path}: the references of class '{c.Name}' differ from those in {ShardManifest.FileName}");
        return references;
    }
}
