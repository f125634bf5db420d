using System.Xml.Linq;
using AnomalyClip.Inference.Thresholds;
using AnomalyClip.Tests.Support;
using Xunit;
using YamlDotNet.RepresentationModel;
using static AnomalyClip.Tests.Deploy.DeployFiles;

namespace AnomalyClip.Tests.Deploy;

/// <summary>
/// deploy/k8s parsed with YamlDotNet: the resources a deployment needs are there and fit together (no cluster runs
/// here, so the structure is what is checked; the Indexed Job's commands are run in <see cref="IndexedJobSimulationTests"/>).
/// </summary>
public class KubernetesManifestTests
{
    [Fact]
    public void EveryDocumentIsAKubernetesResourceOfTheExpectedKinds()
    {
        var documents = Kubernetes();
        foreach (var (file, root) in documents)
        {
            Assert.False(string.IsNullOrEmpty(root.Str("apiVersion")), file);
            Assert.Equal("anomalyclip", root.Str("metadata", "labels", "app.kubernetes.io/name"));
        }
        Assert.Equal(
            ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "Job", "PersistentVolumeClaim", "Service"],
            documents.Select(d => d.Root.Str("kind")).Order(StringComparer.Ordinal));
        Assert.Equal(documents.Count, documents.Select(d => (d.Root.Str("kind"), d.Root.Str("metadata", "name"))).Distinct().Count());
    }

    [Fact]
    public void ServerIsProbedLimitedScaledAndConfigured()
    {
        var deployment = Resource("Deployment", "anomalyclip-serve");
        var container = Container(deployment);
        var args = Args(container);
        Assert.Equal(["serve", "--urls", "http://0.0.0.0:8080"], args[..3]);
        var port = Assert.Single(container.Seq("ports"));
        Assert.Equal(("http", 8080), (port.Str("name"), port.Int("containerPort")));
        Assert.Equal(("/readyz", "http"), (container.Str("readinessProbe", "httpGet", "path"), container.Str("readinessProbe", "httpGet", "port")));
        Assert.Equal(("/healthz", "http"), (container.Str("livenessProbe", "httpGet", "path"), container.Str("livenessProbe", "httpGet", "port")));
        foreach (var bound in new[] { "requests", "limits" })
            foreach (var resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(container.Str("resources", bound, resource)), $"{bound}.{resource}");

        // The args are the tool's (parsed by its own command line), and the config file they name comes from the
        // ConfigMap, loads as a server config, and names a reference folder on the shared volume (read-only) and a
        // thresholds file from the same ConfigMap that predict/calibrate can read.
        Assert.Empty(AnomalyClip.Cli.CliApp.Build().Parse(args).Errors);
        var mounts = container.Seq("volumeMounts").ToDictionary(m => m.Str("mountPath"), m => m.Str("name"));
        var volumes = deployment.Seq("spec", "template", "spec", "volumes").ToDictionary(v => v.Str("name"));
        var configPath = ValueOf(args, "--config");
        var configMount = mounts.Single(m => configPath.StartsWith(m.Key + "/", StringComparison.Ordinal));
        var configMap = Resource("ConfigMap", volumes[configMount.Value].Str("configMap", "name"));
        string FromConfigMap(string mounted)
        {
            Assert.StartsWith(configMount.Key + "/", mounted);
            var file = Path.Combine(Directory.CreateTempSubdirectory("deploy-").FullName, Path.GetFileName(mounted));
            File.WriteAllText(file, configMap.Str("data", Path.GetRelativePath(configMount.Key, mounted)));
            return file;
        }
        var served = Assert.Single(AnomalyClip.Server.Configuration.ServerOptions.Load(FromConfigMap(configPath)).Classes).Value;
        Assert.Equal("resnet18", served.Backbone);
        Assert.Equal("data", mounts[served.References!]);
        Assert.Equal(Storage().Str("metadata", "name"), volumes["data"].Str("persistentVolumeClaim", "claimName"));
        Assert.NotNull(DetectorThresholds.Load(FromConfigMap(served.Thresholds!)).Image);

        var service = Resource("Service", "anomalyclip");
        static Dictionary<string, string> Labels(YamlNode node) => ((YamlMappingNode)node).ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToString());
        var podLabels = Labels(deployment.At("spec", "template", "metadata", "labels"));
        Assert.Equal(Labels(deployment.At("spec", "selector", "matchLabels")), Labels(service.At("spec", "selector")));
        Assert.All(Labels(service.At("spec", "selector")), kv => Assert.Equal(kv.Value, podLabels[kv.Key]));
        Assert.Equal("http", Assert.Single(service.Seq("spec", "ports")).Str("targetPort"));

        var hpa = Resource("HorizontalPodAutoscaler", "anomalyclip-serve");
        Assert.Equal("autoscaling/v2", hpa.Str("apiVersion"));
        Assert.Equal(("Deployment", "anomalyclip-serve"), (hpa.Str("spec", "scaleTargetRef", "kind"), hpa.Str("spec", "scaleTargetRef", "name")));
        Assert.InRange(hpa.Int("spec", "minReplicas"), 1, hpa.Int("spec", "maxReplicas"));
        Assert.Equal("cpu", Assert.Single(hpa.Seq("spec", "metrics")).Str("resource", "name"));
    }

    [Fact]
    public void PredictIsAnIndexedJobWithOneShardPerCompletionIndex()
    {
        var job = Resource("Job", "anomalyclip-predict");
        var args = Args(Container(job));
        int n = ShardCount(args);
        Assert.Equal("Indexed", job.Str("spec", "completionMode"));
        Assert.Equal((n, n), (job.Int("spec", "completions"), job.Int("spec", "parallelism")));
        Assert.Equal("Never", job.Str("spec", "template", "spec", "restartPolicy"));
        Assert.Equal("predict", args[0]);
        Assert.Contains(IndexVariable, ValueOf(args, "--out"));
        var index = Assert.Single(Container(job).Seq("env"), e => e.Str("name") == "JOB_COMPLETION_INDEX");
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", index.Str("valueFrom", "fieldRef", "fieldPath"));
        Assert.Contains("ReadWriteMany", Storage().Seq("spec", "accessModes").Select(m => ((YamlScalarNode)m).Value));
    }

    [Fact]
    public void MergeJobReadsExactlyTheShardOutputsFromTheSameVolume()
    {
        var predict = Resource("Job", "anomalyclip-predict");
        var merge = Resource("Job", "anomalyclip-merge");
        var predictArgs = Args(Container(predict));
        var mergeArgs = Args(Container(merge));
        int n = ShardCount(predictArgs);
        var outputs = Enumerable.Range(0, n).Select(i => ValueOf(predictArgs, "--out").Replace(IndexVariable, i.ToString())).ToArray();
        Assert.Equal(["merge", .. outputs, "--out", ValueOf(mergeArgs, "--out")], mergeArgs);
        Assert.DoesNotContain(ValueOf(mergeArgs, "--out"), outputs);
        Assert.False(merge.At("spec").Has("completionMode"));
        static (string, string) Volume(YamlMappingNode job) =>
            (Assert.Single(Container(job).Seq("volumeMounts")).Str("mountPath"), Assert.Single(job.Seq("spec", "template", "spec", "volumes")).Str("persistentVolumeClaim", "claimName"));
        Assert.Equal(Volume(predict), Volume(merge));
    }

    [Fact]
    public void EveryPodRunsTheOneImageAsTheImagesUnprivilegedUser()
    {
        var workloads = Kubernetes().Where(d => d.Root.Str("kind") is "Deployment" or "Job").Select(d => d.Root).ToArray();
        var image = Assert.Single(workloads.Select(w => Container(w).Str("image")).Distinct());
        // The tag is the version of the packages built from this tree, and the README's build command makes that image.
        var version = XDocument.Load(Path.Combine(Golden.RepoRoot, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Equal($"ghcr.io/anomalyclip/anomalyclip:{version}", image);
        Assert.Contains($"-t {image} .", File.ReadAllText(PathOf("README.md")));
        Assert.Contains($"-t {image} .", File.ReadAllText(PathOf("Dockerfile")));
        Assert.Contains($"docker://{image}", File.ReadAllText(PathOf("slurm", "predict-array.sbatch")));
        foreach (var w in workloads)
        {
            var pod = w.At("spec", "template", "spec");
            // 1654 is APP_UID, the "app" user of the .NET images the Dockerfile's USER line selects.
            Assert.Equal(("true", 1654), (pod.Str("securityContext", "runAsNonRoot"), pod.Int("securityContext", "runAsUser")));
            Assert.Equal("false", Container(w).Str("securityContext", "allowPrivilegeEscalation"));
        }
    }

    private static YamlMappingNode Storage() => Resource("PersistentVolumeClaim", "anomalyclip-data");
}
