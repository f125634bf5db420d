namespace AnomalyClip.Server.Detectors;

/// <summary>
/// The classes a server inspects together with everything they run on (detectors, CLIP models, adapters), released
/// together, last loaded first, once the server has stopped.
/// </summary>
public sealed class DetectorSet : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;

    /// <summary>Wraps <paramref name="classes"/>; <paramref name="owned"/> are disposed with the set, in reverse order.</summary>
    /// <exception cref="ArgumentException">No class, or a class name repeats.</exception>
    public DetectorSet(IReadOnlyList<ServedClass> classes, IReadOnlyList<IDisposable> owned)
    {
        if (classes.Count == 0) throw new ArgumentException("a detector set needs at least one class");
        var byName = new Dictionary<string, ServedClass>(StringComparer.Ordinal);
        foreach (var c in classes)
            if (!byName.TryAdd(c.Name, c)) throw new ArgumentException($"class '{c.Name}' is served twice");
        Classes = byName;
        _owned = owned;
    }

    /// <summary>The served classes by name.</summary>
    public IReadOnlyDictionary<string, ServedClass> Classes { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
    }
}
