using System.Text.Json.Nodes;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Tests.Support;
using AnomalyClip.Tests.Training.Evaluation;
using AnomalyClip.Training.Evaluation;
using Xunit;
using static AnomalyClip.Tests.Cli.ShardRuns;

namespace AnomalyClip.Tests.Cli;

/// <summary>
/// <c>predict --shard</c> / <c>test --shard</c> and <c>merge</c>: n shards merged give exactly the files of one
/// unsharded run (scores, maps, metric tables, pictures), and merges that cannot be right are refused.
/// </summary>
public partial class ShardMergeTests
{
    private static string[] TinyClip => TinyAprilGan.CliArgs;

    private static string Root() => Directory.CreateTempSubdirectory("shards-").FullName;

    // ResNet-18 few-shot predict on the real samples: the Indexed Job of deploy/k8s, played in IndexedJobSimulationTests.

    [Fact]
    public void PredictTinyClipFewShotTransductiveShardsMergeIntoTheUnshardedRun()
    {
        var root = Root();
        var references = Path.Combine(root, "k_shot.txt");
        File.WriteAllLines(references, GoldenEvaluation.KShotReferences.Where(p => p.StartsWith("screw/", StringComparison.Ordinal)).Select(p => Golden.PathOf("dataset_test", p)));
        // An unreadable input given last, from another folder: sorted by full path (the shards' order) it lands
        // elsewhere than in the input order (results.csv's), and its shard may hold nothing readable.
        var broken = Path.Combine(root, "broken.png");
        File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        // Transductive scores, labels, masks and maps: everything the merge has to rebuild over the whole run.
        string[] args =
        [
            "predict", Golden.PathOf("dataset_test", "screw", "test"), broken, .. TinyClip, "--class-name", "screw", "--reference", references,
            "--transductive", "--image-threshold", "0.5", "--pixel-threshold", "2.3", "--save-maps",
        ];
        var whole = Path.Combine(root, "whole");
        Exits(CliErrors.Skipped, [.. args, "--out", whole]);
        var merged = Merge(Shards(args, 3, root), Path.Combine(root, "merged"), CliErrors.Skipped);

        SameFiles(whole, merged);
        var golden = Golden.AprilGan("aprilgan/few_shot/image_score");
        var scores = File.ReadAllLines(Path.Combine(merged, "results.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[2])).Order().ToArray();
        var expected = Enumerable.Range(4, 4).Select(i => golden[i].item<double>()).Order().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], scores[i], 1e-5); // the paper's scores need the whole class
        Assert.StartsWith(broken + "\t", File.ReadAllText(Path.Combine(merged, "skipped.txt")));
    }

    [Fact]
    public void PredictTinyClipZeroShotShardsMergeIntoTheUnshardedRun()
    {
        var root = Root();
        // The eight golden images share stems (good/000, defect/000 in both classes): names come from the whole input list.
        string[] args = ["predict", Golden.PathOf("dataset_test", "screw", "test"), Golden.PathOf("dataset_test", "bottle", "test"), .. TinyClip, "--save-maps", "--pixel-threshold", "2.3"];
        var whole = Path.Combine(root, "whole");
        Ok([.. args, "--out", whole]);
        var merged = Merge(Shards(args, 3, root).Reverse(), Path.Combine(root, "merged"));
        SameFiles(whole, merged);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(merged, "overlays")).Length);
    }

    [Fact]
    public void TestResNet18FewShotShardsMergeIntoTheUnshardedRun()
    {
        var root = Root();
        string[] args = ["test", "--backbone", "resnet18", "--dataset", "mvtec", "--data-path", Golden.Samples, "--discover-classes", "--k", "2", "--no-overlays"];
        AssertShardedTestIsExact(root, args, shards: 3);
    }

    [Fact]
    public void TestTinyClipFewShotTransductiveShardsMergeIntoTheUnshardedRun()
    {
        var root = Root();
        var kShot = Path.Combine(root, "k_shot_golden.txt");
        File.WriteAllLines(kShot, GoldenEvaluation.KShotReferences);
        string[] args =
        [
            "test", "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--discover-classes", .. TinyClip, "--activation", "gelu",
            "--mode", "few-shot", "--k-shot-file", kShot, "--few-shot-score", "Transductive",
        ];
        var merged = AssertShardedTestIsExact(root, args, shards: 3);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(merged, "imgs"), "*.png", SearchOption.AllDirectories).Length);
        Assert.Contains("image_score: transductive", File.ReadAllText(Path.Combine(merged, EvaluationResult.LogFile)));
    }

    /// <summary>
    /// The merged folder equals the unsharded run's (log.txt but for its timings), and the image scores that entered
    /// the metrics are those of a one-shard run, bit for bit.
    /// </summary>
    private static string AssertShardedTestIsExact(string root, string[] args, int shards)
    {
        var whole = Path.Combine(root, "whole");
        Ok([.. args, "--out", whole]);
        var shardDirs = Shards(args, shards, Path.Combine(root, "n"));
        var merged = Merge(shardDirs, Path.Combine(root, "merged"));
        SameFiles(whole, merged, EvaluationResult.LogFile);
        static string[] Log(string dir) => File.ReadAllLines(Path.Combine(dir, EvaluationResult.LogFile))
            .Where(l => !l.StartsWith("merged from", StringComparison.Ordinal)).Select(l => TimingSuffix().Replace(l, "")).ToArray();
        Assert.Equal(Log(whole), Log(merged));

        var single = Shards(args, 1, Path.Combine(root, "one"));
        static (string, string, bool, double)[] Outcomes(EvaluationResult r) =>
            r.Classes.SelectMany(c => c.Outcomes.Select(o => (c.ClassName, o.RelativeImagePath, o.IsAnomalous, o.Score))).ToArray();
        Assert.Equal(Outcomes(ShardedEvaluation.Merge(single)), Outcomes(ShardedEvaluation.Merge(shardDirs)));
        Assert.Equal(EvaluationShard.Read(single[0]).Images, shardDirs.SelectMany(d => EvaluationShard.Read(d).Images));
        return merged;
    }

    [Fact]
    public void MergesThatCannotBeRightAreRefused()
    {
        var root = Root();
        string[] args = ["predict", Golden.PathOf("dataset_test", "bottle", "test"), .. TinyClip, "--no-overlays"];
        var s = Shards(args, 3, root);
        var other = Ok([.. args, "--class-name", "screw", "--shard", "1/3", "--out", Path.Combine(root, "other")]);
        Ok([.. args, "--shard", "0/2", "--out", Path.Combine(root, "half")]);
        var unfinished = Path.Combine(root, "unfinished");
        Directory.CreateDirectory(unfinished);
        File.Copy(Path.Combine(s[1], "results.csv"), Path.Combine(unfinished, "results.csv"));
        Assert.Contains("shard 1/3", other);

        (string What, string[] Dirs, string Message)[] cases =
        [
            ("a shard missing", [s[0], s[2]], "shard(s) 1/3 missing"),
            ("a shard twice", [s[0], s[1], s[1], s[2]], "are both shard 1/3"),
            ("an unfinished shard", [s[0], unfinished, s[2]], "the shard did not finish"),
            ("shards of two splits", [s[0], s[1], s[2], Path.Combine(root, "half")], "shards of different splits"),
            ("other settings", [s[0], Path.Combine(root, "other"), s[2]], "differ in --class-name (not given vs screw)"),
        ];
        foreach (var (what, dirs, message) in cases)
        {
            var outDir = Path.Combine(root, "out-" + what.Replace(' ', '-'));
            var (code, _, stderr) = InProcessCli.Run(["merge", .. dirs, "--out", outDir]);
            Assert.True(code == 2, $"{what}: exit {code}, {stderr}");
            Assert.Contains(message, stderr);
            Assert.False(File.Exists(Path.Combine(outDir, "results.csv")), what);
        }
        var (exit, _, error) = InProcessCli.Run(["merge", .. s, "--out", s[0]]);
        Assert.Equal(2, exit);
        Assert.Contains("is one of the shard folders", error);
        (exit, _, error) = InProcessCli.Run(["predict", Golden.PathOf("dataset_test", "bottle", "test"), .. TinyClip, "--shard", "3/3", "--out", Path.Combine(root, "bad")]);
        Assert.Equal(2, exit);
        Assert.Contains("--shard: shard '3/3' is not i/n", error);
    }

    [Fact]
    public void TestShardsWithOtherReferencesAreRefused()
    {
        var root = Root();
        string[] args = ["test", "--dataset", "mvtec", "--data-path", GoldenEvaluation.DatasetRoot, "--class-name", "bottle", .. TinyClip, "--mode", "few-shot", "--k", "1", "--no-overlays"];
        var s = Shards([.. args, "--seed", "1"], 2, root);
        var reseeded = Ok([.. args, "--seed", "2", "--shard", "1/2", "--out", Path.Combine(root, "reseeded")]);
        Assert.Contains("shard 1/2", reseeded);
        var (code, _, stderr) = InProcessCli.Run("merge", s[0], Path.Combine(root, "reseeded"), "--out", Path.Combine(root, "out"));
        Assert.Equal(2, code);
        Assert.Contains("differ in setting 'seed' (1 vs 2)", stderr);

        // The same settings but other references (a manifest edited by hand, or a reference policy changed between versions).
        var manifest = Path.Combine(s[1], AnomalyClip.Training.Evaluation.ShardManifest.FileName);
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        var picked = (string)json["classes"]![0]!["references"]![0]!;
        json["classes"]![0]!["references"]![0] = picked == "bottle/train/good/000.png" ? "bottle/train/good/001.png" : "bottle/train/good/000.png";
        File.WriteAllText(manifest, json.ToJsonString());
        (code, _, stderr) = InProcessCli.Run("merge", s[0], s[1], "--out", Path.Combine(root, "out"));
        Assert.Equal(2, code);
        Assert.Contains("differ in the few-shot references of class 'bottle'", stderr);
        Assert.False(File.Exists(Path.Combine(root, "out", EvaluationResult.MarkdownFile)));

        // Kinds do not mix.
        var predict = Shards(["predict", Golden.PathOf("dataset_test", "bottle", "test"), .. TinyClip, "--no-overlays"], 1, Path.Combine(root, "p"));
        (code, _, stderr) = InProcessCli.Run("merge", predict[0], s[0], "--out", Path.Combine(root, "mixed"));
        Assert.Equal(2, code);
        Assert.Contains("not a 'predict' shard", stderr);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@", [0-9.]+ s$")]
    private static partial System.Text.RegularExpressions.Regex TimingSuffix();
}
