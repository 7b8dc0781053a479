using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// What inventories cover, through the database (ADR 109): a namespace's or a node's list shows where images run, never
/// that an image does not; only a cluster-wide inventory of the clusters where the image's repository runs does. Lists
/// are the real kubelet list of shared/fixtures, and kubectl-shaped lists made of its pods.
/// </summary>
public class InventoryCoverageTests
{
    private const string SpeakerDigest = "sha256:2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629";
    private const string GrafanaDigest = "sha256:eb5abc53bed20198052d4ac0e01a8fd3bfe0c80d8e9eb9d021fbc10f93a25514";
    private static readonly string OldSpeakerDigest = ReportBuilder.Digest('9');
    private static readonly DateTimeOffset T0 = new(2020, 9, 16, 4, 0, 0, TimeSpan.Zero);

    private static RuntimeSettings Home(bool allClusters = false) => RuntimeSettings.Default with
    {
        Environments = new EnvironmentRules { Namespaces = [new("metallb-*", "prod"), new("olly", "staging")] },
        AllClustersInventoried = allClusters,
    };

    private static JsonNode Kubelet() => JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json")))!;

    /// <summary>The kubelet's pods as `kubectl get pods [-A | -n NS] -o json` prints them.</summary>
    private static string Kubectl(string? onlyNamespace = null, Func<JsonNode, bool>? keep = null)
    {
        var items = new JsonArray();
        foreach (var pod in Kubelet()["items"]!.AsArray())
            if ((onlyNamespace is null || pod!["metadata"]!["namespace"]!.GetValue<string>() == onlyNamespace) && (keep?.Invoke(pod!) ?? true))
            {
                // kubectl names each item's kind; the kubelet does not.
                var item = pod!.DeepClone().AsObject();
                item.Insert(0, "kind", "Pod");
                item.Insert(0, "apiVersion", "v1");
                items.Add(item);
            }
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["metadata"] = new JsonObject { ["resourceVersion"] = "" }, ["items"] = items }.ToJsonString();
    }

    private static bool IsSpeaker(JsonNode pod) => pod["metadata"]!["name"]!.GetValue<string>().StartsWith("speaker-", StringComparison.Ordinal);

    /// <summary>Grafana runs (namespace olly); metallb/speaker runs at v0.9.3, and a scan of its older v0.9.2 digest runs nowhere; one image never ran.</summary>
    private static async Task ScanAsync(RuntimeWorld w)
    {
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "grafana/grafana:7.0.1", GrafanaDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "metallb/speaker:v0.9.3", SpeakerDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "metallb/speaker:v0.9.2", OldSpeakerDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/unused:1", ReportBuilder.Digest('e'))
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
    }

    private static async Task<Dictionary<string, FindingRiskView>> RiskByImage(RuntimeWorld w) =>
        (await w.FindingsAsync()).ToDictionary(f => f.Image, f => f.Risk!);

    private static RiskFactor Exposure(FindingRiskView r) => r.Why.Single(f => f.Factor == "exposure");

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task NamespaceOnlyList_ImageNotInIt_StaysUnknown_ThenClusterWideList_NotRunning(string provider)
    {
        var w = new RuntimeWorld(provider, Home());
        await ScanAsync(w);

        var olly = await w.IngestTextAsync(Kubectl("olly"), "olly.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0 });
        Assert.Equal(("namespaces:olly", "a list of one namespace"), (olly.Inventory!.Coverage, olly.Inventory.CoverageBasis));
        var r = await RiskByImage(w);
        Assert.True(r["docker.io/grafana/grafana:7.0.1"].Runtime.Running);
        // Before ADR 109 any inventory made every image it did not show "not running".
        var old = r["docker.io/metallb/speaker:v0.9.2"];
        Assert.Null(old.Runtime.Running);
        Assert.Equal(["namespace olly of cluster home"], old.Runtime.Gap!.Covered);
        Assert.Equal((5m, "not seen in the inventories, which cover only namespace olly of cluster home, where its repository was never seen: exposure unknown"),
            (Exposure(old).Contribution, Exposure(old).Detail));
        Assert.Null(r["docker.io/library/unused:1"].Runtime.Running);

        var all = await w.IngestTextAsync(Kubectl(), "all.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddHours(1) });
        Assert.Equal(("cluster", "a list of 8 namespaces"), (all.Inventory!.Coverage, all.Inventory.CoverageBasis));
        r = await RiskByImage(w);
        // metallb/speaker runs in cluster home (v0.9.3), which a cluster-wide list covers: v0.9.2 is not running.
        var gone = r["docker.io/metallb/speaker:v0.9.2"];
        Assert.False(gone.Runtime.Running);
        Assert.Null(gone.Runtime.Gap);
        Assert.Equal((0m, "not seen running in any imported inventory"), (Exposure(gone).Contribution, Exposure(gone).Detail));
        Assert.True(gone.Score < old.Score);
        Assert.True(r["docker.io/metallb/speaker:v0.9.3"].Runtime.Running);
        // An image whose repository no inventory ever showed may run in a cluster Triage has no inventory of.
        var unused = r["docker.io/library/unused:1"];
        Assert.Null(unused.Runtime.Running);
        Assert.Equal("not seen in the inventories, which cover only cluster home, where its repository was never seen: exposure unknown", Exposure(unused).Detail);

        await using var db = w.Db();
        var snapshots = await db.RuntimeSnapshots.OrderBy(s => s.ObservedAt).ToListAsync();
        Assert.Equal([(CoverageKind.Namespaces, "olly", false), (CoverageKind.Cluster, "", false)],
            snapshots.Select(s => (s.Coverage, s.CoverageScope, s.CoverageStated)));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KubeletListOfOneNode_OtherImagesUnknown_UnlessStatedClusterWideAndAllClustersDeclared(string provider)
    {
        var w = new RuntimeWorld(provider, Home(allClusters: true));
        await ScanAsync(w);
        var node = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"), new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0 });
        Assert.Equal("node:duckboat-01", node.Inventory!.Coverage);
        var r = await RiskByImage(w);
        Assert.True(r["docker.io/metallb/speaker:v0.9.3"].Runtime.Running);
        // Even with every cluster declared inventoried, one node's list cannot show that an image runs on no other node.
        Assert.Equal("not seen in the inventories, which cover only node duckboat-01 of cluster home: exposure unknown", Exposure(r["docker.io/metallb/speaker:v0.9.2"]).Detail);
        Assert.Null(r["docker.io/library/unused:1"].Runtime.Running);

        // The uploader knows this single-node cluster's list is all of it.
        var stated = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"),
            new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddHours(1), Coverage = InventoryCoverage.Cluster });
        Assert.Equal(("cluster", "stated by the uploader"), (stated.Inventory!.Coverage, stated.Inventory.CoverageBasis));
        r = await RiskByImage(w);
        Assert.False(r["docker.io/metallb/speaker:v0.9.2"].Runtime.Running);
        // Declared: the inventoried clusters are all the clusters, so an image none of them shows does not run.
        Assert.False(r["docker.io/library/unused:1"].Runtime.Running);

        // The same bytes with another stated coverage are another ingest; with the same one, a duplicate.
        var again = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"),
            new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddHours(1), Coverage = InventoryCoverage.Cluster });
        Assert.True(again.Duplicate);
        await using var db = w.Db();
        Assert.Equal([null, "cluster"], await db.RuntimeEvidenceFiles.OrderBy(f => f.Id).Select(f => f.Coverage).ToListAsync());
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PartialListsLater_KeepWorkloadsTheyDoNotCoverRunning_UntilAListThatCoversThem(string provider)
    {
        var w = new RuntimeWorld(provider, Home());
        await ScanAsync(w);
        await w.IngestTextAsync(Kubectl(), "all.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0 });

        // Two days later, lists of another node and of namespace olly: neither would show the speaker, so it still runs.
        const string otherNode = """
            {"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"grafana-7db5dff8ff-abcde","namespace":"olly",
              "labels":{"pod-template-hash":"7db5dff8ff"},"ownerReferences":[{"kind":"ReplicaSet","name":"grafana-7db5dff8ff","controller":true}]},
              "spec":{"nodeName":"duckboat-02"},
              "status":{"phase":"Running","containerStatuses":[{"name":"grafana","image":"grafana/grafana:7.0.1",
              "imageID":"docker-pullable://grafana/grafana@sha256:eb5abc53bed20198052d4ac0e01a8fd3bfe0c80d8e9eb9d021fbc10f93a25514"}]}}]}
            """;
        var node = await w.IngestTextAsync(otherNode, "node2.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddDays(2) });
        Assert.Equal("node:duckboat-02", node.Inventory!.Coverage);
        await w.IngestTextAsync(Kubectl("olly"), "olly.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddDays(2) });
        var speaker = (await RiskByImage(w))["docker.io/metallb/speaker:v0.9.3"].Runtime;
        Assert.True(speaker.Running); // before ADR 109: not running, as the newest list of the cluster did not show it
        Assert.Equal(T0.UtcDateTime, speaker.LastSeen);

        // Then the list of its namespace, without it: it stopped, and the cluster-wide list says where its repository runs.
        await w.IngestTextAsync(Kubectl("metallb-system", keep: p => !IsSpeaker(p)), "metallb.json",
            new RuntimeIngestOptions { Cluster = "home", ObservedAt = T0.AddDays(3) });
        var r = await RiskByImage(w);
        Assert.False(r["docker.io/metallb/speaker:v0.9.3"].Runtime.Running);
        Assert.Equal(T0.UtcDateTime, r["docker.io/metallb/speaker:v0.9.3"].Runtime.LastSeen);
        Assert.True(r["docker.io/grafana/grafana:7.0.1"].Runtime.Running);
    }
}
