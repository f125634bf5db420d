using AnomalyClip.Tests.Support;
using Xunit;
using static AnomalyClip.Tests.Cli.ShardRuns;
using static AnomalyClip.Tests.Deploy.DeployFiles;

namespace AnomalyClip.Tests.Deploy;

/// <summary>
/// The Indexed Job and the merge Job of deploy/k8s, played here: each completion index's command exactly as the
/// manifest writes it (the index and the volume's mount path substituted), in-process, then the merge Job's command;
/// the merged folder must be what one unsharded predict over the same volume writes.
/// </summary>
public class IndexedJobSimulationTests
{
    [Fact]
    public void ShardPodsAndTheMergeJobGiveTheUnshardedResult()
    {
        var predictJob = Resource("Job", "anomalyclip-predict");
        var mergeJob = Resource("Job", "anomalyclip-merge");
        var mountPath = Assert.Single(Container(predictJob).Seq("volumeMounts")).Str("mountPath");

        // The volume as the manifests expect it: images to predict and the part's normal references (real samples).
        var volume = Directory.CreateTempSubdirectory("indexed-job-").FullName;
        Copy(Path.Combine(Golden.Samples, "hazelnut_toy", "test", "colour"), Path.Combine(volume, "images"));
        Copy(Path.Combine(Golden.Samples, "hazelnut_toy", "train", "good"), Path.Combine(volume, "references"));
        string OnVolume(string arg) => arg.StartsWith(mountPath + "/", StringComparison.Ordinal) ? volume + arg[mountPath.Length..] : arg;

        var template = Args(Container(predictJob));
        int completions = predictJob.Int("spec", "completions");
        for (int index = 0; index < completions; index++)
            Ok(template.Select(a => OnVolume(a.Replace(IndexVariable, $"{index}"))).ToArray());
        var mergeArgs = Args(Container(mergeJob)).Select(OnVolume).ToArray();
        Ok(mergeArgs);

        // One pod doing it all: the same command without --shard, into a folder of its own.
        int shard = Array.IndexOf(template, "--shard");
        var whole = Path.Combine(volume, "whole");
        var unsharded = template.Where((_, i) => i != shard && i != shard + 1).Select(OnVolume).ToArray();
        unsharded[Array.IndexOf(unsharded, "--out") + 1] = whole;
        Ok(unsharded);

        var merged = ValueOf(mergeArgs, "--out");
        SameFiles(whole, merged);
        Assert.Equal(Directory.GetFiles(Path.Combine(volume, "images")).Length + 1, File.ReadAllLines(Path.Combine(merged, "results.csv")).Length);
        Assert.True(File.Exists(Path.Combine(merged, "maps.safetensors")));
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
