using System.Text;
using static TorchSharp.torch;

namespace AnomalyClip.Tests.Clip.Weights;

/// <summary>
/// Builds a TorchScript archive shaped like OpenAI's original CLIP <c>.pt</c> files, by hand (no Python torch
/// here). The layout follows pytorch's torch/csrc/jit/docs/serialization.md and pickler.cpp, and class bodies
/// follow the code/ files of OpenAI's traced CLIP as published: <c>data.pkl</c> pickles the root module as
/// <c>GLOBAL __torch__.…; EMPTY_TUPLE; NEWOBJ; {attribute: value, …}; BUILD</c>, recursively; tensors are
/// <c>_rebuild_tensor_v2</c> of memoised storage ids (location <c>cuda:0</c>, as OpenAI saved them);
/// <c>code/&lt;module path&gt;.py</c> declares each class's <c>__parameters__</c>/<c>__buffers__</c>;
/// <c>constants.pkl</c> holds the traced attention mask; the root carries the <c>input_resolution</c>,
/// <c>context_length</c> and <c>vocab_size</c> buffers. Text blocks also carry a plain (non-parameter) tensor
/// attribute, which must not reach the state dict.
/// </summary>
internal sealed class SyntheticTorchScript
{
    private const string Root = "__torch__.multimodal.model.multimodal_transformer";

    private sealed class Node(string name)
    {
        public string Name { get; } = name;
        public string QualifiedName { get; set; } = "";
        public List<(string Name, Tensor Value)> Parameters { get; } = [];
        public List<(string Name, Tensor Value)> Buffers { get; } = [];
        public List<(string Name, Tensor Value)> Plain { get; } = [];
        public List<(string Name, Node Value)> Children { get; } = [];

        public Node Child(string name)
        {
            foreach (var (n, c) in Children) if (n == name) return c;
            var node = new Node(name);
            Children.Add((name, node));
            return node;
        }
    }

    private readonly PickleWriter _w = new();
    private readonly List<(string, byte[])> _entries = [];
    private readonly Dictionary<string, StringBuilder> _code = [];
    private int _memo;
    private int? _rebuildMemo;
    private int _storages;
    private int _mangle;
    private readonly Tensor _mask = full(77, 77, float.NegativeInfinity).triu(1);
    private int? _maskStorageMemo;

    /// <summary>Classes to leave out of code/ (to test the error for an undefined class).</summary>
    public HashSet<string> OmitClasses { get; } = [];

    /// <summary>Writes the archive for <paramref name="stateDict"/> (OpenAI key layout) to <paramref name="path"/>.</summary>
    public void Write(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var root = new Node("");
        foreach (var (key, t) in stateDict)
        {
            var parts = key.Split('.');
            var node = root;
            foreach (var p in parts[..^1]) node = node.Child(p);
            node.Parameters.Add((parts[^1], t));
        }
        root.Buffers.Add(("input_resolution", tensor(32L)));
        root.Buffers.Add(("context_length", tensor(77L)));
        root.Buffers.Add(("vocab_size", tensor(49408L)));
        Decorate(root, "");
        Name(root);

        Emit(root);
        _w.Stop();
        var constants = new PickleWriter();
        constants.Mark().Tensor(x => x.StorageId("FloatStorage", "constants0", 77 * 77, "cuda:0"), 0, [77, 77], [77, 1]).Tuple().Stop();
        _entries.Add(("data/constants0", TorchArchiveWriter.Bytes(_mask)));
        TorchArchiveWriter.WriteZip(path, "ViT-Tiny/",
        [
            ("data.pkl", _w.ToArray()), ("constants.pkl", constants.ToArray()), ("version", "3\n"u8.ToArray()),
            .. _code.Where(kv => kv.Value.Length > 0).Select(kv => ("code/" + kv.Key, Encoding.UTF8.GetBytes(kv.Value.ToString()))),
            .. _entries,
        ]);
    }

    private void Decorate(Node node, string path)
    {
        if (node.Name == "mlp") node.Child("gelu"); // QuickGELU: a module without parameters
        if (path.StartsWith("transformer.resblocks.", StringComparison.Ordinal) && path.Count(c => c == '.') == 2)
            node.Plain.Add(("attn_mask", _mask));
        foreach (var (n, c) in node.Children.ToList()) Decorate(c, path.Length == 0 ? n : $"{path}.{n}");
    }

    private void Name(Node node)
    {
        var cls = node.Name switch
        {
            "" => "Multimodal", "visual" => "VisualTransformer", "transformer" => "Transformer",
            "resblocks" or "mlp" => "Sequential", "attn" => "MultiheadAttention", "out_proj" => "_LinearWithBias",
            "c_fc" or "c_proj" => "Linear", "gelu" => "QuickGELU", "conv1" => "Conv2d", "token_embedding" => "Embedding",
            var n when n.StartsWith("ln_", StringComparison.Ordinal) => "LayerNorm",
            var n when char.IsDigit(n[0]) => "ResidualAttentionBlock",
            _ => "Module",
        };
        // The root and the vision tower share the un-mangled file, as in OpenAI's archive; the rest get mangled ones.
        var module = node.Name is "" or "visual" ? Root : $"{Root}.___torch_mangle_{_mangle++}";
        node.QualifiedName = $"{module}.{cls}";
        foreach (var (_, c) in node.Children) Name(c);
        var file = module.Replace('.', '/') + ".py";
        if (!_code.TryGetValue(file, out var sb)) _code[file] = sb = new StringBuilder();
        if (OmitClasses.Contains(cls)) return;
        static string Names(IEnumerable<string> names) => string.Concat(names.Select(n => $"\"{n}\", "));
        sb.Append($"class {cls}(Module):\n");
        sb.Append($"  __parameters__ = [{Names(node.Parameters.Select(p => p.Name))}]\n");
        sb.Append($"  __buffers__ = [{Names(node.Buffers.Select(p => p.Name))}]\n");
        foreach (var (n, _) in node.Parameters.Concat(node.Buffers).Concat(node.Plain)) sb.Append($"  {n} : Tensor\n");
        sb.Append("  training : bool\n");
        foreach (var (n, c) in node.Children)
            sb.Append(char.IsDigit(n[0]) ? $"  __annotations__[\"{n}\"] = {c.QualifiedName}\n" : $"  {n} : {c.QualifiedName}\n");
        sb.Append($"  def forward(self: {node.QualifiedName},\n    argument_1: Tensor) -> Tensor:\n    return argument_1\n");
    }

    private void Emit(Node node)
    {
        int dot = node.QualifiedName.LastIndexOf('.');
        _w.Global(node.QualifiedName[..dot], node.QualifiedName[(dot + 1)..]).EmptyTuple().NewObj();
        _w.EmptyDict().Mark();
        _w.Str("training").Bool(true);
        foreach (var (n, t) in node.Parameters.Concat(node.Buffers).Concat(node.Plain))
        {
            _w.Str(n);
            EmitTensor(t);
        }
        foreach (var (n, c) in node.Children)
        {
            _w.Str(n);
            Emit(c);
        }
        _w.SetItems().Build();
    }

    private void EmitTensor(Tensor t)
    {
        if (_rebuildMemo is int m)
        {
            _w.LongGet(m).Mark();
        }
        else
        {
            _w.Global("torch._utils", "_rebuild_tensor_v2").LongPut(_memo);
            _rebuildMemo = _memo++;
            _w.Mark();
        }
        bool shared = ReferenceEquals(t, _mask);
        if (shared && _maskStorageMemo is int sm)
        {
            _w.LongGet(sm);
        }
        else
        {
            var key = (_storages++).ToString();
            _w.StorageId(TorchArchiveWriter.StorageTypes[t.dtype], key, t.numel(), "cuda:0").LongPut(_memo);
            if (shared) _maskStorageMemo = _memo;
            _memo++;
            _entries.Add(("data/" + key, TorchArchiveWriter.Bytes(t)));
        }
        var shape = t.shape;
        var stride = new long[shape.Length];
        for (int d = shape.Length - 1, s = 1; d >= 0; s *= (int)shape[d], d--) stride[d] = s;
        _w.Int(0).IntTuple(shape).IntTuple(stride).Bool(false)
            .Global("collections", "OrderedDict").EmptyTuple().Reduce()
            .Tuple().Reduce();
    }
}
