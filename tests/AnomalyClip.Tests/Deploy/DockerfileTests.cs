using AnomalyClip.Tests.Support;
using Xunit;
using static AnomalyClip.Tests.Deploy.DeployFiles;

namespace AnomalyClip.Tests.Deploy;

/// <summary>deploy/Dockerfile read as text (no Docker engine here): its stages, what it copies, who runs the tool.</summary>
public class DockerfileTests
{
    /// <summary>The instructions, comments dropped and backslash-continued lines joined.</summary>
    private static string[] Instructions()
    {
        var instructions = new List<string>();
        var pending = "";
        foreach (var line in File.ReadAllLines(PathOf("Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            pending += line.TrimEnd('\\').TrimEnd() + " ";
            if (line.EndsWith('\\')) continue;
            instructions.Add(pending.TrimEnd());
            pending = "";
        }
        return instructions.ToArray();
    }

    /// <summary>The instructions of each stage, from its FROM line on.</summary>
    private static List<string[]> Stages()
    {
        var stages = new List<List<string>>();
        foreach (var line in Instructions())
        {
            if (line.StartsWith("FROM ", StringComparison.Ordinal)) stages.Add([]);
            Assert.NotEmpty(stages);
            stages[^1].Add(line);
        }
        return stages.Select(s => s.ToArray()).ToList();
    }

    [Fact]
    public void TheSdkStagePublishesTheCliAndTheRuntimeStageRunsItAsAnUnprivilegedUser()
    {
        var stages = Stages();
        Assert.Equal(2, stages.Count);
        var (build, runtime) = (stages[0], stages[1]);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", build[0]);
        Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/(aspnet|runtime):10\.0( AS \w+)?$", runtime[0]);
        var publish = Assert.Single(build, l => l.StartsWith("RUN dotnet publish", StringComparison.Ordinal));
        Assert.Matches(@"^RUN dotnet publish src/Cli/Cli\.csproj -c Release .*-o /app$", publish);
        Assert.Contains("COPY --from=build /app/ /app/", runtime);
        // The tool is found on PATH under the name the package installs (ToolCommandName anomalyclip).
        Assert.Contains(runtime, l => l.StartsWith("ENV ", StringComparison.Ordinal) && l.Contains("PATH=\"/app:${PATH}\""));
        Assert.Equal("ENTRYPOINT [\"anomalyclip\"]", Assert.Single(runtime, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        var user = Assert.Single(runtime, l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.DoesNotMatch("^(root|0)(:.*)?$", user);
        Assert.True(Array.FindIndex(runtime, l => l.StartsWith("USER ", StringComparison.Ordinal)) > Array.FindIndex(runtime, l => l.StartsWith("COPY", StringComparison.Ordinal)),
            "USER after the files are in place, so the tool runs unprivileged");
        var port = Assert.Single(runtime, l => l.StartsWith("EXPOSE ", StringComparison.Ordinal));
        Assert.Equal(Container(Resource("Deployment", "anomalyclip-serve")).Seq("ports")[0].Str("containerPort"), port["EXPOSE ".Length..]);
    }

    [Fact]
    public void WhatTheBuildCopiesExistsAndEveryProjectIsRestoredBeforeTheSources()
    {
        var build = Stages()[0];
        var copies = build.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1]).ToArray();
        foreach (var source in copies.SelectMany(c => c))
            Assert.True(File.Exists(Path.Combine(Golden.RepoRoot, source)) || Directory.Exists(Path.Combine(Golden.RepoRoot, source)), $"COPY {source}: not in the repository");
        int restore = Array.FindIndex(build, l => l.StartsWith("RUN dotnet restore src/Cli/Cli.csproj", StringComparison.Ordinal));
        Assert.True(restore > 0, "restore before the sources are copied");
        var beforeRestore = build[..restore].Where(l => l.StartsWith("COPY ", StringComparison.Ordinal)).SelectMany(l => l.Split(' ')[1..^1]).ToHashSet();
        var projects = Directory.GetFiles(Path.Combine(Golden.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Golden.RepoRoot, p).Replace('\\', '/'));
        Assert.All(projects, p => Assert.Contains(p, beforeRestore));
        Assert.Contains("Directory.Packages.props", beforeRestore);

        var ignored = File.ReadAllLines(PathOf("Dockerfile.dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.DoesNotContain(ignored, i => copies.SelectMany(c => c).Any(s => s.StartsWith(i.TrimEnd('/'), StringComparison.Ordinal)));
    }
}
