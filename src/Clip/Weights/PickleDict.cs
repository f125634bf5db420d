using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// A Python dict (or OrderedDict) rebuilt by the <see cref="Unpickler"/>. Keys are strings, integers or other
/// pickled values; iteration follows insertion order, as in Python, because entries are never removed.
/// </summary>
internal sealed class PickleDict : Dictionary<object, object?>
{
    /// <summary>A short description of a pickled value's kind, for error messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string => "a string",
        long or bool or double => $"the number {value}",
        Tensor t => $"a tensor [{string.Join(",", t.shape)}]",
        PickleDict => "a dict",
        List<object?> => "a list",
        object?[] => "a tuple",
        TorchScriptObject o => $"an object of {o.TypeName}",
        PickleGlobal g => $"the global {g}",
        _ => $"a {value.GetType().Name}",
    };
}
