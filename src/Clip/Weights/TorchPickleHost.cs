using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Gives the few globals that <c>torch.save</c> and <c>torch.jit.save</c> emit their data meaning, and rejects
/// every other global. Storages come from the archive's <c>data/</c> entries (each read once, then shared);
/// tensors are <c>as_strided</c> views of them, so offsets, strides and shared storages load as saved.
/// With <paramref name="scriptClasses"/>, <c>__torch__.*</c> classes become inert <see cref="TorchScriptObject"/>s.
/// Tensors are created in the caller's dispose scope.
/// </summary>
internal sealed class TorchPickleHost(TorchZipArchive archive, bool scriptClasses) : IPickleHost
{
    private static readonly Dictionary<string, ScalarType> StorageTypes = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["DoubleStorage"] = ScalarType.Float64,
        ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32, ["ShortStorage"] = ScalarType.Int16,
        ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.Byte, ["BoolStorage"] = ScalarType.Bool,
    };

    private static readonly HashSet<string> Functions =
    [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ];

    // Markers TorchScript wraps typed lists and dicts in; unwrapping them is the identity on the data.
    private static readonly HashSet<string> ScriptFunctions =
    [
        "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
        "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.restore_type_tag",
    ];

    private readonly Dictionary<string, Tensor> _storages = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public object Global(string module, string name)
    {
        var g = new PickleGlobal(module, name);
        var full = g.ToString();
        if (Functions.Contains(full)) return g;
        if (module == "torch" && StorageTypes.ContainsKey(name)) return g;
        if (scriptClasses && (ScriptFunctions.Contains(full) || module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal)))
            return g;
        throw new PickleException($"global '{full}' is not allowed (only PyTorch tensor and container globals are)");
    }

    /// <inheritdoc />
    public object? PersistentLoad(object? pid)
    {
        // ('storage', torch.<T>Storage, key, location, numel); the location (cpu, cuda:0, ...) is ignored: all loads go to the CPU.
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not PickleGlobal { Module: "torch" } type
            || !StorageTypes.TryGetValue(type.Name, out var dtype) || t[2] is not string key || t[4] is not long numel)
            throw new PickleException($"persistent id {PickleDict.Describe(pid)} is not a PyTorch storage reference");
        if (_storages.TryGetValue(key, out var known))
        {
            if (known.dtype != dtype || known.shape[0] != numel)
                throw new PickleException($"storage '{key}' is referenced as both {known.dtype}[{known.shape[0]}] and {dtype}[{numel}]");
            return known;
        }
        var storage = archive.ReadStorage(key, dtype, numel);
        _storages[key] = storage;
        return storage;
    }

    /// <inheritdoc />
    public object? Reduce(object callable, object?[] args)
    {
        if (callable is not PickleGlobal g) throw new PickleException($"cannot call {PickleDict.Describe(callable)}");
        switch (g.ToString())
        {
            case "collections.OrderedDict":
                if (args.Length != 0) throw new PickleException("OrderedDict with constructor arguments is not supported");
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2" when args.Length is 6 or 7:
            case "torch._utils._rebuild_tensor" when args.Length == 4:
                return Rebuild(args[0], args[1], args[2], args[3]);
            case "torch._utils._rebuild_parameter" when args.Length == 3:
            case "torch._utils._rebuild_parameter_with_state" when args.Length == 4:
                return args[0] as Tensor ?? throw new PickleException($"parameter data is {PickleDict.Describe(args[0])}, not a tensor");
            case var name when ScriptFunctions.Contains(name) && args.Length >= 1:
                return args[0];
            default:
                throw new PickleException($"cannot call {g} with {args.Length} arguments");
        }
    }

    /// <inheritdoc />
    public object NewObject(object cls, object?[] args)
    {
        if (scriptClasses && cls is PickleGlobal g && g.Module.StartsWith("__torch__", StringComparison.Ordinal) && args.Length == 0)
            return new TorchScriptObject(g.ToString());
        throw new PickleException($"cannot create an instance of {PickleDict.Describe(cls)}");
    }

    /// <inheritdoc />
    public void Build(object? target, object? state)
    {
        switch (target)
        {
            case TorchScriptObject o when state is PickleDict attributes:
                foreach (var (k, v) in attributes)
                    o.Attributes[k as string ?? throw new PickleException($"attribute name {PickleDict.Describe(k)} of {o.TypeName} is not a string")] = v;
                break;
            case TorchScriptObject o:
                o.State = state;
                break;
            case PickleDict:
                // state_dict() pickles an OrderedDict whose instance __dict__ holds '_metadata' (module versions);
                // it is not part of the mapping, so it is dropped.
                break;
            default:
                throw new PickleException($"cannot set state on {PickleDict.Describe(target)}");
        }
    }

    private static Tensor Rebuild(object? storageArg, object? offsetArg, object? sizeArg, object? strideArg)
    {
        if (storageArg is not Tensor storage) throw new PickleException($"tensor storage is {PickleDict.Describe(storageArg)}");
        if (offsetArg is not long offset || offset < 0) throw new PickleException($"tensor storage offset is {PickleDict.Describe(offsetArg)}");
        var size = Longs(sizeArg, "size");
        var stride = Longs(strideArg, "stride");
        if (size.Length != stride.Length)
            throw new PickleException($"tensor size [{string.Join(",", size)}] and stride [{string.Join(",", stride)}] differ in rank");
        if (size.Any(s => s < 0) || stride.Any(s => s < 0))
            throw new PickleException($"tensor size [{string.Join(",", size)}] or stride [{string.Join(",", stride)}] is negative");
        long available = storage.shape[0];
        if (!size.Contains(0))
        {
            long last = offset;
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] - 1 > (long.MaxValue - last) / Math.Max(1, stride[i]))
                    throw new PickleException($"tensor size [{string.Join(",", size)}] overflows");
                last += (size[i] - 1) * stride[i];
            }
            if (last >= available)
                throw new PickleException(
                    $"tensor view (offset {offset}, size [{string.Join(",", size)}], stride [{string.Join(",", stride)}]) runs past its storage of {available} elements");
        }
        else if (offset > available)
        {
            throw new PickleException($"tensor storage offset {offset} is past its storage of {available} elements");
        }
        return storage.as_strided(size, stride, offset);
    }

    private static long[] Longs(object? value, string what)
    {
        if (value is not object?[] items) throw new PickleException($"tensor {what} is {PickleDict.Describe(value)}, not a tuple");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            result[i] = items[i] as long? ?? throw new PickleException($"tensor {what} holds {PickleDict.Describe(items[i])}");
        return result;
    }
}
