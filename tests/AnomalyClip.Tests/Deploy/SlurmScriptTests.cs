using Xunit;
using static AnomalyClip.Tests.Deploy.DeployFiles;

namespace AnomalyClip.Tests.Deploy;

/// <summary>
/// deploy/slurm run under bash with stand-ins for the tool and for sbatch (no Slurm here): the scripts parse, each
/// array task runs the Indexed Job's predict command with its own index, and the merge waits for the whole array.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SlurmScriptTests
{
    private static string Script(string name) => PathOf("slurm", name);

    /// <summary>A stand-in executable that appends its arguments (one per line) and a separator to <paramref name="log"/>, then prints <paramref name="output"/>.</summary>
    private static string Recorder(string dir, string name, string log, string output = "")
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $"#!/bin/bash\nprintf '%s\\n' \"$@\" >> '{log}'\necho --- >> '{log}'\necho '{output}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static List<string[]> Calls(string log) => File.ReadAllText(log).Split("---\n", StringSplitOptions.RemoveEmptyEntries)
        .Select(c => c.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

    [Theory]
    [InlineData("predict-array.sbatch")]
    [InlineData("merge.sbatch")]
    [InlineData("submit.sh")]
    public void ScriptParses(string name)
    {
        var (code, _, stderr) = Bash(new Dictionary<string, string>(), "-n", Script(name));
        Assert.True(code == 0, stderr);
    }

    [Fact]
    public void ArrayTasksRunTheIndexedJobsCommandsAndTheMergeTheMergeJobs()
    {
        var dir = Directory.CreateTempSubdirectory("slurm-").FullName;
        var log = Path.Combine(dir, "calls.txt");
        var tool = Recorder(dir, "anomalyclip", log);
        var data = Path.Combine(dir, "data");
        var predict = Args(Container(Resource("Job", "anomalyclip-predict")));
        int n = ShardCount(predict);
        Assert.Contains($"#SBATCH --array=0-{n - 1}", File.ReadAllLines(Script("predict-array.sbatch")));
        for (int i = 0; i < n; i++)
        {
            var env = new Dictionary<string, string> { ["DATA"] = data, ["ANOMALYCLIP"] = tool, ["SLURM_ARRAY_TASK_ID"] = $"{i}", ["SLURM_ARRAY_TASK_COUNT"] = $"{n}" };
            var (code, _, stderr) = Bash(env, Script("predict-array.sbatch"));
            Assert.True(code == 0, stderr);
        }
        var merge = new Dictionary<string, string> { ["DATA"] = data, ["ANOMALYCLIP"] = tool, ["SHARDS"] = $"{n}" };
        var (mergeCode, _, mergeError) = Bash(merge, Script("merge.sbatch"));
        Assert.True(mergeCode == 0, mergeError);

        // The same commands as the Kubernetes Jobs, with /data being the shared folder and the task id the index.
        string[] OnSlurm(string[] k8s, int index) => k8s.Select(a => a.Replace(IndexVariable, $"{index}").Replace("/data", data)).ToArray();
        var expected = Enumerable.Range(0, n).Select(i => OnSlurm(predict, i)).Append(OnSlurm(Args(Container(Resource("Job", "anomalyclip-merge"))), 0)).ToList();
        Assert.Equal(expected, Calls(log));
    }

    [Fact]
    public void SubmitStartsTheArrayAndAMergeThatWaitsForAllOfIt()
    {
        var dir = Directory.CreateTempSubdirectory("slurm-").FullName;
        var log = Path.Combine(dir, "sbatch.txt");
        Recorder(dir, "sbatch", log, output: "4242;cluster");
        var env = new Dictionary<string, string> { ["PATH"] = dir + ":" + Environment.GetEnvironmentVariable("PATH") };
        var (code, _, stderr) = Bash(env, Script("submit.sh"), "8");
        Assert.True(code == 0, stderr);
        var calls = Calls(log);
        Assert.Equal(2, calls.Count);
        Assert.Equal(["--parsable", "--array=0-7", "predict-array.sbatch"], calls[0]);
        Assert.Equal(["--parsable", "--dependency=afterok:4242", "--export=ALL,SHARDS=8", "merge.sbatch"], calls[1]);
    }
}
