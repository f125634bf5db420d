using System.Collections.ObjectModel;

namespace AnomalyClip.Training.Datasets;

/// <summary>
/// An anomaly-detection dataset as lists of <see cref="AnomalySample"/> records: the class names in their order and, per
/// class in that order, the train split (normal references) and the test split (normal and anomalous images, with
/// masks). Made by <see cref="MvtecDataset"/>, <see cref="VisaDataset"/>, <see cref="MetaJsonDataset"/> and
/// <see cref="FolderDataset"/>; written out by <see cref="MetaJson"/>.
/// </summary>
public sealed class AnomalyDataset
{
    /// <summary>
    /// Creates a dataset. Both splits must have exactly one entry per class name (an empty list is allowed) and every
    /// sample must carry the class it is listed under.
    /// </summary>
    /// <param name="root">The dataset root folder; relative paths in the samples are relative to it.</param>
    /// <param name="classNames">Class names in order (the order of the text features and of per-class metrics).</param>
    /// <param name="train">Train-split samples per class.</param>
    /// <param name="test">Test-split samples per class.</param>
    public AnomalyDataset(string root, IReadOnlyList<string> classNames,
        IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> train,
        IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> test)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        if (classNames.Distinct(StringComparer.Ordinal).Count() != classNames.Count)
            throw new ArgumentException("class names must be distinct", nameof(classNames));
        ClassNames = classNames.ToArray();
        Train = InClassOrder(train, nameof(train));
        Test = InClassOrder(test, nameof(test));
    }

    /// <summary>Absolute path of the dataset root folder.</summary>
    public string Root { get; }

    /// <summary>The class names, in dataset order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Train split (normal reference images) per class; enumerates in <see cref="ClassNames"/> order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> Train { get; }

    /// <summary>Test split per class; enumerates in <see cref="ClassNames"/> order. APRIL-GAN also trains on this split.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> Test { get; }

    /// <summary>
    /// Checks every image and mask header (ImageSharp <c>Image.Identify</c>, no pixel decoding): each file must be a
    /// readable image and each mask must have its image's width and height. Throws a <see cref="DatasetException"/>
    /// naming the first bad file in dataset order (train before test, classes in order).
    /// </summary>
    public void Validate()
    {
        var samples = Train.Values.Concat(Test.Values).SelectMany(s => s).ToArray();
        var errors = new DatasetException?[samples.Length];
        // Header reads are I/O bound; a few in flight hide the latency of cold files.
        Parallel.For(0, samples.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            try { CheckSample(samples[i]); }
            catch (DatasetException e) { errors[i] = e; }
        });
        var first = errors.FirstOrDefault(e => e is not null);
        if (first is not null) throw first;
    }

    private static void CheckSample(AnomalySample sample)
    {
        var (w, h) = ImageHeader.Size(sample.ImagePath);
        if (sample.MaskPath is null) return;
        var (mw, mh) = ImageHeader.Size(sample.MaskPath);
        if (mw != w || mh != h)
            throw new DatasetException(sample.MaskPath, $"mask is {mw}x{mh} but its image {sample.ImagePath} is {w}x{h}");
    }

    private IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> InClassOrder(
        IReadOnlyDictionary<string, IReadOnlyList<AnomalySample>> split, string name)
    {
        if (split.Count != ClassNames.Count || ClassNames.Any(c => !split.ContainsKey(c)))
            throw new ArgumentException($"{name} must have one entry per class name ({string.Join(", ", ClassNames)})", name);
        var ordered = new OrderedDictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
        foreach (var cls in ClassNames)
        {
            var samples = split[cls].ToArray();
            var wrong = samples.FirstOrDefault(s => s.ClassName != cls);
            if (wrong is not null)
                throw new ArgumentException($"{name}[{cls}] holds {wrong.RelativeImagePath} of class {wrong.ClassName}", name);
            ordered.Add(cls, samples);
        }
        return new ReadOnlyDictionary<string, IReadOnlyList<AnomalySample>>(ordered);
    }
}
