using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyClip.Clip.Weights;

/// <summary>
/// Reads the parameters and buffers of a TorchScript archive (<c>torch.jit.save</c>; OpenAI's original CLIP
/// <c>.pt</c> files) without running any of it. <c>data.pkl</c> pickles the top-level module as a tree of
/// <c>__torch__.*</c> objects whose attribute dicts hold submodules and tensors; which tensor attributes are
/// parameters or buffers is declared in the class bodies under <c>code/</c>
/// (<c>__parameters__ = ["weight", ...]</c>, <c>__buffers__ = [...]</c>), which are read as text only.
/// Tensor constants (<c>constants.pkl</c>, e.g. OpenAI's traced attention masks) are not part of the state dict.
/// </summary>
public static partial class TorchScriptArchive
{
    /// <summary>
    /// The module's <c>state_dict()</c>: for every module in the tree (depth first, in attribute order) its
    /// parameters, then its buffers, under dotted attribute paths (<c>visual.transformer.resblocks.0.ln_1.weight</c>).
    /// Parameters or buffers set to None are skipped, as PyTorch does. CPU tensors in the stored dtype.
    /// </summary>
    /// <exception cref="ModelLoadException">
    /// Not a TorchScript zip, truncated or corrupt, a disallowed global, or a module class without a definition in <c>code/</c>.
    /// </exception>
    public static Dictionary<string, Tensor> LoadStateDict(string path)
    {
        using var scope = NewDisposeScope();
        using var archive = TorchZipArchive.Open(path);
        if (!archive.IsTorchScript)
            throw new ModelLoadException(path, "is not a TorchScript archive (no constants.pkl or code/ entries)");
        var classes = ReadClasses(archive);
        var root = archive.Unpickle("data.pkl", new TorchPickleHost(archive, scriptClasses: true));
        if (root is not TorchScriptObject module)
            throw new ModelLoadException(path, $"data.pkl holds {PickleDict.Describe(root)}, not a TorchScript module");
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var budget = new VisitBudget();
        Collect(path, module, "", classes, result, budget, depth: 0);
        foreach (var t in result.Values) t.MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>A class defined in <c>code/</c>: whether it is a module, and which attributes are parameters and buffers.</summary>
    private sealed record ScriptClass(bool IsModule, IReadOnlyList<string> Parameters, IReadOnlyList<string> Buffers);

    private static Dictionary<string, ScriptClass> ReadClasses(TorchZipArchive archive)
    {
        var classes = new Dictionary<string, ScriptClass>(StringComparer.Ordinal);
        foreach (var (relative, text) in archive.CodeFiles())
        {
            // code/a/b.py holds the classes of qualified module a.b (serialization.md, "Placing the source code").
            var module = relative[..^".py".Length].Replace('/', '.');
            string? current = null;
            bool isModule = false;
            List<string> parameters = [], buffers = [];
            foreach (var line in text.Split('\n'))
            {
                var header = ClassHeader().Match(line);
                if (header.Success)
                {
                    Flush();
                    current = $"{module}.{header.Groups[1].Value}";
                    isModule = header.Groups[2].Value == "Module";
                    continue;
                }
                if (current is null) continue;
                if (line.Length > 0 && !char.IsWhiteSpace(line[0])) { Flush(); continue; }
                var list = NameList().Match(line);
                if (!list.Success) continue;
                var names = Quoted().Matches(list.Groups[2].Value).Select(m => m.Groups[1].Value);
                (list.Groups[1].Value == "__parameters__" ? parameters : buffers).AddRange(names);
            }
            Flush();

            void Flush()
            {
                if (current is not null) classes[current] = new ScriptClass(isModule, [.. parameters], [.. buffers]);
                current = null;
                parameters = [];
                buffers = [];
            }
        }
        return classes;
    }

    private static void Collect(string path, TorchScriptObject module, string prefix, Dictionary<string, ScriptClass> classes,
        Dictionary<string, Tensor> result, VisitBudget budget, int depth)
    {
        // A crafted file can make the object graph cyclic or exponentially shared; real models are shallow and small.
        if (depth > 1000) throw new ModelLoadException(path, $"module tree is deeper than 1000 levels at '{prefix}'");
        if (++budget.Visits > 1_000_000) throw new ModelLoadException(path, "module tree has more than a million modules");
        var cls = ClassOf(path, module, prefix, classes);
        if (!cls.IsModule) throw new ModelLoadException(path, $"the root object's class {module.TypeName} is not a Module");
        foreach (var name in cls.Parameters.Concat(cls.Buffers))
        {
            if (!module.Attributes.TryGetValue(name, out var value))
                throw new ModelLoadException(path, $"{module.TypeName} declares '{name}' but '{prefix}{name}' was not pickled");
            if (value is null) continue;
            result[prefix + name] = value as Tensor
                ?? throw new ModelLoadException(path, $"'{prefix}{name}' is {PickleDict.Describe(value)}, not a tensor");
        }
        foreach (var (key, value) in module.Attributes)
        {
            if (value is TorchScriptObject child && ClassOf(path, child, $"{prefix}{key}.", classes).IsModule)
                Collect(path, child, $"{prefix}{key}.", classes, result, budget, depth + 1);
        }
    }

    private static ScriptClass ClassOf(string path, TorchScriptObject o, string prefix, Dictionary<string, ScriptClass> classes) =>
        classes.TryGetValue(o.TypeName, out var cls)
            ? cls
            : throw new ModelLoadException(path, $"object '{(prefix.Length == 0 ? "<root>" : prefix.TrimEnd('.'))}' has class {o.TypeName}, which code/ does not define");

    private sealed class VisitBudget
    {
        public int Visits;
    }

    [GeneratedRegex(@"^class\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)\s*:")]
    private static partial Regex ClassHeader();

    [GeneratedRegex(@"^\s+(__parameters__|__buffers__)\s*=\s*\[(.*)\]\s*$")]
    private static partial Regex NameList();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();
}
