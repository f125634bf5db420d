using System.Collections.ObjectModel;
using System.Text;
using AnomalyClip.Inference.FewShot;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// The normal reference images of a few-shot evaluation: per class, in class order, k paths relative to the dataset
/// root (a k-shot file may repeat a path, as APRIL-GAN draws with replacement). Written as APRIL-GAN's <c>k_shot.txt</c>.
/// </summary>
public sealed class FewShotReferences
{
    /// <summary>The file name APRIL-GAN's <c>test.py</c> writes the references to.</summary>
    public const string FileName = "k_shot.txt";

    private readonly string _root;

    private FewShotReferences(string root, IReadOnlyDictionary<string, IReadOnlyList<string>> byClass)
    {
        _root = root;
        ByClass = byClass;
    }

    /// <summary>Per class (enumerating in evaluation order), the reference paths relative to the dataset root, with <c>/</c> separators.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ByClass { get; }

    /// <summary>Absolute paths of the references of <paramref name="className"/>.</summary>
    public IReadOnlyList<string> AbsolutePaths(string className) =>
        ByClass[className].Select(r => DatasetFiles.Absolute(_root, r)).ToArray();

    /// <summary>
    /// Picks <paramref name="k"/> references per class from the class's train split with AnomalyClip's one reference
    /// policy (<see cref="ReferenceSampling"/>: without replacement, <c>System.Random(seed)</c> per class, so a class's
    /// picks do not depend on which other classes are evaluated), or, when <paramref name="seed"/> is null, the first
    /// k train images in sorted order. Pass a <see cref="Read">k-shot file</see> to reuse a Python run's picks.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    /// <exception cref="DatasetException">A class has fewer than k train images.</exception>
    public static FewShotReferences Sample(AnomalyDataset dataset, IReadOnlyList<string> classes, int k, int? seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var byClass = new OrderedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var cls in classes)
        {
            var train = dataset.Train[cls];
            if (train.Count < k)
                throw new DatasetException(dataset.Root, $"class '{cls}' has {train.Count} train (normal) image(s), fewer than the k = {k} few-shot references asked for; lower k or give a k-shot file");
            var relative = train.ToDictionary(s => Path.GetFullPath(s.ImagePath), s => s.RelativeImagePath, StringComparer.Ordinal);
            var candidates = train.Select(s => s.ImagePath).ToArray();
            var picks = seed is int sd ? ReferenceSampling.Choose(candidates, k, sd) : ReferenceSampling.First(candidates, k);
            byClass.Add(cls, picks.Select(p => relative[Path.GetFullPath(p)]).ToArray());
        }
        return new FewShotReferences(dataset.Root, new ReadOnlyDictionary<string, IReadOnlyList<string>>(byClass));
    }

    /// <summary>
    /// Reads an explicit reference list in APRIL-GAN's <c>k_shot.txt</c> format: one image path per line, relative
    /// to the dataset root (their meta.json <c>img_path</c>), classes one after the other. Blank lines are skipped;
    /// every other line counts (APRIL-GAN appends to the file on every run, so take it from a single run). A line's
    /// class is the class whose train split lists that path; failing that (e.g. folder datasets, which have no train
    /// split) its first path segment when that names a class of the dataset, or the dataset's only class. Lines of
    /// other classes (not in <paramref name="classes"/>, or not loaded at all) are counted in <see cref="IgnoredLines"/>
    /// and left out, so one file serves evaluations of any subset; a line of an evaluated class must name an existing
    /// file. k may differ between classes.
    /// </summary>
    /// <exception cref="DatasetException">The file is missing; a line is absolute or names a missing file; or a class
    /// of <paramref name="classes"/> has no line.</exception>
    public static FewShotReferences Read(string path, AnomalyDataset dataset, IReadOnlyList<string> classes)
    {
        if (!File.Exists(path)) throw new DatasetException(path, "k-shot reference file not found");
        var trainClass = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (cls, samples) in dataset.Train)
            foreach (var s in samples) trainClass.TryAdd(s.RelativeImagePath, cls);
        var known = new HashSet<string>(dataset.ClassNames, StringComparer.Ordinal);

        var found = classes.ToDictionary(c => c, _ => new List<string>(), StringComparer.Ordinal);
        int lineNumber = 0, ignored = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var rel = line.Replace('\\', '/');
            if (Path.IsPathRooted(rel))
                throw new DatasetException(path, $"line {lineNumber}: '{line}' is absolute; paths must be relative to the dataset root {dataset.Root}");
            var cls = ClassOf(rel, trainClass, known, dataset);
            if (cls is null || !found.TryGetValue(cls, out var list))
            {
                ignored++;
                continue;
            }
            if (!File.Exists(DatasetFiles.Absolute(dataset.Root, rel)))
                throw new DatasetException(path, $"line {lineNumber}: '{line}' not found under {dataset.Root}");
            list.Add(rel);
        }
        var byClass = new OrderedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var cls in classes)
        {
            if (found[cls].Count == 0) throw new DatasetException(path, $"no reference image for class '{cls}' (a train image of it, or a path under {cls}/)");
            byClass.Add(cls, found[cls].ToArray());
        }
        return new FewShotReferences(dataset.Root, new ReadOnlyDictionary<string, IReadOnlyList<string>>(byClass)) { IgnoredLines = ignored };
    }

    /// <summary>Lines of a <see cref="Read">k-shot file</see> that belong to no evaluated class and were left out (0 when sampled).</summary>
    public int IgnoredLines { get; private init; }

    private static string? ClassOf(string rel, Dictionary<string, string> trainClass, HashSet<string> known, AnomalyDataset dataset)
    {
        if (trainClass.TryGetValue(rel, out var cls)) return cls;
        var first = rel.Split('/')[0];
        if (known.Contains(first)) return first;
        return dataset.ClassNames.Count == 1 ? dataset.ClassNames[0] : null;
    }

    /// <summary>The <c>k_shot.txt</c> text: every reference path on its own line, classes in order.</summary>
    public string ToKShotText()
    {
        var sb = new StringBuilder();
        foreach (var paths in ByClass.Values)
            foreach (var p in paths) sb.Append(p).Append('\n');
        return sb.ToString();
    }
}
