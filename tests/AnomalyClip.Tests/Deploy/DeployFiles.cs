using System.Diagnostics;
using AnomalyClip.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace AnomalyClip.Tests.Deploy;

/// <summary>The deployment artefacts under <c>deploy/</c>, read for the tests: YAML documents, container specs, scripts.</summary>
internal static class DeployFiles
{
    /// <summary>The placeholder Kubernetes expands to a pod's completion index.</summary>
    public const string IndexVariable = "$(JOB_COMPLETION_INDEX)";

    public static string Dir => Path.Combine(Golden.RepoRoot, "deploy");

    public static string PathOf(params string[] parts) => Path.Combine([Dir, .. parts]);

    /// <summary>Every YAML document of every file under deploy/k8s, with its file name.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Root)> Kubernetes()
    {
        var documents = new List<(string, YamlMappingNode)>();
        foreach (var file in Directory.GetFiles(PathOf("k8s"), "*.yaml").Order(StringComparer.Ordinal))
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(file)) stream.Load(reader);
            foreach (var doc in stream.Documents) documents.Add((Path.GetFileName(file), Assert.IsType<YamlMappingNode>(doc.RootNode)));
        }
        return documents;
    }

    /// <summary>The one document of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static YamlMappingNode Resource(string kind, string name) =>
        Assert.Single(Kubernetes(), d => d.Root.Str("kind") == kind && d.Root.Str("metadata", "name") == name).Root;

    /// <summary>The single container of a workload's pod template.</summary>
    public static YamlMappingNode Container(YamlMappingNode workload) => Assert.IsType<YamlMappingNode>(Assert.Single(workload.Seq("spec", "template", "spec", "containers")));

    /// <summary>A container's args as strings.</summary>
    public static string[] Args(YamlMappingNode container) => container.Seq("args").Select(a => ((YamlScalarNode)a).Value!).ToArray();

    /// <summary>The node at <paramref name="path"/> (mapping keys), failing the test if absent.</summary>
    public static YamlNode At(this YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.TryGetValue(new YamlScalarNode(key), out var child), $"no '{key}' in {string.Join('.', path)}");
            node = child!;
        }
        return node;
    }

    public static string Str(this YamlNode node, params string[] path) => Assert.IsType<YamlScalarNode>(node.At(path)).Value!;

    public static int Int(this YamlNode node, params string[] path) => int.Parse(node.Str(path));

    public static YamlSequenceNode Seq(this YamlNode node, params string[] path) => Assert.IsType<YamlSequenceNode>(node.At(path));

    public static bool Has(this YamlNode node, string key) => node is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>The n of <c>--shard $(JOB_COMPLETION_INDEX)/n</c> in a container's args.</summary>
    public static int ShardCount(string[] args)
    {
        var shard = args[Array.IndexOf(args, "--shard") + 1];
        Assert.StartsWith(IndexVariable + "/", shard);
        return int.Parse(shard[(IndexVariable.Length + 1)..]);
    }

    /// <summary>The value after <paramref name="option"/> in <paramref name="args"/>.</summary>
    public static string ValueOf(string[] args, string option)
    {
        int at = Array.IndexOf(args, option);
        Assert.True(at >= 0 && at + 1 < args.Length, $"{option} not given");
        return args[at + 1];
    }

    /// <summary>Runs bash with <paramref name="args"/> and extra environment; returns exit code, stdout and stderr.</summary>
    public static (int Code, string Stdout, string Stderr) Bash(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("bash", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
