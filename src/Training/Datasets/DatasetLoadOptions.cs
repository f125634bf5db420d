namespace AnomalyClip.Training.Datasets;

/// <summary>Which classes <see cref="MvtecDataset"/> and <see cref="VisaDataset"/> read.</summary>
public sealed record DatasetLoadOptions
{
    /// <summary>
    /// The classes to read, in this order; every one must be present and non-empty. <see langword="null"/> (the
    /// default) means the paper's list (<see cref="MvtecDataset.ClassNames"/> or <see cref="VisaDataset.ClassNames"/>)
    /// unless <see cref="DiscoverClasses"/> is set.
    /// </summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>
    /// Read every class present instead of a fixed list, in ordinal order of the names: for MVTec layouts every
    /// sub-folder of the root holding a <c>train</c> or <c>test</c> folder, for VisA every <c>object</c> value in the
    /// CSV. Cannot be combined with <see cref="Classes"/>.
    /// </summary>
    public bool DiscoverClasses { get; init; }

    /// <summary>The class list to use: explicit, discovered by <paramref name="discover"/>, or <paramref name="paper"/>.</summary>
    internal IReadOnlyList<string> Resolve(IReadOnlyList<string> paper, Func<IReadOnlyList<string>> discover)
    {
        if (Classes is not null && DiscoverClasses)
            throw new ArgumentException($"{nameof(Classes)} and {nameof(DiscoverClasses)} cannot be combined");
        if (Classes is not null)
        {
            if (Classes.Count == 0) throw new ArgumentException($"{nameof(Classes)} is empty");
            return Classes;
        }
        return DiscoverClasses ? discover() : paper;
    }
}
