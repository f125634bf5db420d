namespace AnomalyClip.Clip.Weights;

/// <summary>
/// An instance of a TorchScript class (<c>__torch__.*</c>) from a <c>torch.jit</c> archive, kept as plain data: its
/// qualified type name and the attribute dict its BUILD opcode set. No class code is loaded or run.
/// </summary>
/// <param name="TypeName">Qualified class name, e.g. <c>__torch__.model.___torch_mangle_3.LayerNorm</c>.</param>
internal sealed class TorchScriptObject(string TypeName)
{
    /// <summary>Qualified class name, e.g. <c>__torch__.model.___torch_mangle_3.LayerNorm</c>.</summary>
    public string TypeName { get; } = TypeName;

    /// <summary>Attributes by name, in the order they were pickled (submodules, parameters, plain values).</summary>
    public PickleDict Attributes { get; } = new();

    /// <summary>The state of a class with a custom <c>__getstate__</c>, when it is not an attribute dict.</summary>
    public object? State { get; set; }
}
