namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Decides what the opcodes that would import or call Python code mean. Implementations map an allow-list of
/// globals to data constructors and throw <see cref="PickleException"/> for everything else; nothing is executed.
/// </summary>
internal interface IPickleHost
{
    /// <summary>GLOBAL / STACK_GLOBAL: a reference to <paramref name="module"/>.<paramref name="name"/>.</summary>
    object Global(string module, string name);

    /// <summary>BINPERSID: resolves a persistent id (PyTorch: a storage reference).</summary>
    object? PersistentLoad(object? pid);

    /// <summary>REDUCE: "calls" <paramref name="callable"/> (a value from <see cref="Global"/>) with a tuple.</summary>
    object? Reduce(object callable, object?[] args);

    /// <summary>NEWOBJ: <c>cls.__new__(cls, *args)</c>.</summary>
    object NewObject(object cls, object?[] args);

    /// <summary>BUILD: applies <paramref name="state"/> to <paramref name="target"/> (<c>__setstate__</c>).</summary>
    void Build(object? target, object? state);
}
