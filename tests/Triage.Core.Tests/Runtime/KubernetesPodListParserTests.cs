using Triage.Core.Ingest;
using Triage.Core.Runtime.Inventory;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class KubernetesPodListParserTests
{
    private static async Task<DeploymentInventory> Kubelet(InventoryOptions? options = null)
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"));
        return await KubernetesPodListParser.ParseAsync(s, options ?? new InventoryOptions { Cluster = "home" });
    }

    [FixtureFact]
    public async Task Parse_KubeletPodList_OneEntryPerWorkloadContainerWithDigests()
    {
        var inv = await Kubelet();
        // 11 pods: 12 containers plus 4 init containers (grafana 1, calico-node 3).
        Assert.Equal(16, inv.Workloads.Count);
        Assert.Equal(4, inv.Workloads.Count(w => w.InitContainer));
        Assert.All(inv.Workloads, w => Assert.StartsWith("sha256:", w.Image.Digest));
        Assert.All(inv.Workloads, w => Assert.Equal("home", w.Cluster));
        Assert.Empty(inv.Warnings);

        var speaker = Assert.Single(inv.Workloads, w => w.Container == "speaker");
        Assert.Equal(("metallb-system", "DaemonSet", "speaker"), (speaker.Namespace, speaker.WorkloadKind, speaker.WorkloadName));
        Assert.Equal("metallb/speaker", speaker.Image.Repository);
        Assert.Equal("v0.9.3", speaker.Image.Tag);
        Assert.Equal("sha256:2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629", speaker.Image.Digest);
        Assert.Equal(1, speaker.Replicas);
    }

    [FixtureFact]
    public async Task Parse_ReplicaSetOwner_ReportedAsDeploymentWithoutPodTemplateHash()
    {
        var inv = await Kubelet();
        var grafana = Assert.Single(inv.Workloads, w => w.Container == "grafana");
        Assert.Equal(("olly", "Deployment", "grafana"), (grafana.Namespace, grafana.WorkloadKind, grafana.WorkloadName));
        Assert.False(grafana.Labels.ContainsKey("pod-template-hash"));
        Assert.Equal("grafana", grafana.Labels["app.kubernetes.io/name"]);
        Assert.Equal(new DateTimeOffset(2020, 6, 24, 23, 2, 2, TimeSpan.Zero), grafana.StartedAt);

        var deployments = inv.Workloads.Where(w => w.WorkloadKind == "Deployment").Select(w => $"{w.Namespace}/{w.WorkloadName}").Distinct().Order();
        Assert.Equal(["default/kuard", "metallb-system/controller", "mysql/phpmyadmin", "nginx/nginx-ingress-controller", "nginx/nginx-ingress-default-backend", "olly/grafana"], deployments);
        Assert.Equal(5, inv.Workloads.Where(w => w.WorkloadKind == "DaemonSet").Select(w => w.WorkloadName).Distinct().Count());
    }

    [FixtureFact]
    public async Task Presence_ImageUsedByInitAndSidecar_CountsOneWorkloadOneReplica()
    {
        var inv = await Kubelet(new InventoryOptions { Cluster = "home", ObservedAt = new DateTimeOffset(2020, 9, 16, 4, 0, 0, TimeSpan.Zero) });
        var presence = RuntimePresence.For([inv], ["kiwigrid/k8s-sidecar@sha256:63db76f174dded61727506237650c9a45e3e091824e53bf1c08e4583d4f46431"]);
        Assert.True(presence.Running);
        Assert.Equal(1, presence.Workloads);
        Assert.Equal(1, presence.Replicas);
        Assert.Equal(["home"], presence.Clusters);
        Assert.Equal(new DateTimeOffset(2020, 6, 24, 23, 2, 2, TimeSpan.Zero), presence.FirstSeen);
        Assert.Equal(new DateTimeOffset(2020, 9, 16, 4, 0, 0, TimeSpan.Zero), presence.LastSeen);

        Assert.False(RuntimePresence.For([inv], ["sha256:" + new string('0', 64)]).Running);
    }

    [FixtureFact]
    public async Task Parse_EnvironmentFromNamespaceRules_AndLabelsFirst()
    {
        var rules = new EnvironmentRules { LabelKeys = ["release"], Namespaces = [new("metallb-*", "prod"), new("olly", "staging")] };
        var inv = await Kubelet(new InventoryOptions { Environments = rules });
        Assert.Equal("prod", inv.Workloads.First(w => w.Namespace == "metallb-system").Environment);
        Assert.Equal("staging", inv.Workloads.First(w => w.Namespace == "olly").Environment);
        // The 'release' label wins over namespace rules.
        Assert.Equal("nginx-ingress", inv.Workloads.First(w => w.Container == "nginx-ingress-controller").Environment);
        // Default rules: namespace "test" → test.
        Assert.Equal("test", (await Kubelet()).Workloads.Single(w => w.Namespace == "test").Environment);
    }

    [Fact]
    public async Task Parse_KubectlListWithKindAfterItems_CountsReplicasPerDeployment()
    {
        const string pod = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d4b9c6f5d-{0}","namespace":"prod-shop","labels":{"app":"web","pod-template-hash":"7d4b9c6f5d"},
             "ownerReferences":[{"kind":"ReplicaSet","name":"web-7d4b9c6f5d","controller":true}]},
             "spec":{"containers":[{"name":"web","image":"shop/web:2.1"}]},
             "status":{"phase":"{1}","startTime":"2026-01-0{2}T00:00:00Z","containerStatuses":[{"name":"web","image":"shop/web:2.1",
               "imageID":"containerd://docker.io/shop/web@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]}}
            """;
        var items = string.Join(",", new[] { ("a", "Running", 1), ("b", "Running", 2), ("c", "Succeeded", 3) }
            .Select(p => pod.Replace("{0}", p.Item1).Replace("{1}", p.Item2).Replace("{2}", p.Item3.ToString())));
        var json = """{"apiVersion":"v1","items":[""" + items + """],"kind":"List","metadata":{"resourceVersion":""}}""";
        var inv = await KubernetesPodListParser.ParseAsync(TrickleStream.Of(json, 11));
        var web = Assert.Single(inv.Workloads);
        Assert.Equal(("Deployment", "web", "prod"), (web.WorkloadKind, web.WorkloadName, web.Environment));
        Assert.Equal(2, web.Replicas);
        Assert.Equal(3, web.Pods);
        Assert.Equal("sha256:" + new string('a', 64), web.Image.Digest);
        Assert.Equal("shop/web", web.Image.Repository);
    }

    [Fact]
    public async Task Parse_OtherKind_ThrowsNotAScanReport()
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => KubernetesPodListParser.ParseAsync(Streams.Of("""{"kind":"ServiceList","items":[]}""")));
        Assert.Equal(ReportErrorCode.NotAScanReport, ex.Code);
        Assert.Contains("ServiceList", ex.Message);
    }
}
