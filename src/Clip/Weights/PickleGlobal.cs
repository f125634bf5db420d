namespace AnomalyClip.Clip.Weights;

/// <summary>An allowed global reference (<c>module.name</c>) as an inert value; its meaning lives in the host.</summary>
/// <param name="Module">Python module path, e.g. <c>torch._utils</c>.</param>
/// <param name="Name">Attribute name in that module, e.g. <c>_rebuild_tensor_v2</c>.</param>
internal sealed record PickleGlobal(string Module, string Name)
{
    /// <summary><c>module.name</c>.</summary>
    public override string ToString() => $"{Module}.{Name}";
}
