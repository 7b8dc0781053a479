using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Deployment inventories through the database: which scanned images run where, with first and last seen.</summary>
public class InventoryTests
{
    private const string SpeakerDigest = "sha256:2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629";
    private const string GrafanaDigest = "sha256:eb5abc53bed20198052d4ac0e01a8fd3bfe0c80d8e9eb9d021fbc10f93a25514";
    private const string KuardDigest = "sha256:bd17153e9a3319f401acc7a27759243f37d422c06cbbf01cb3e1f54bbbfe14f4";

    private static readonly RuntimeSettings HomeRules = RuntimeSettings.Default with
    {
        Environments = new EnvironmentRules { Namespaces = [new("metallb-*", "prod"), new("olly", "staging")] },
    };

    /// <summary>Scans named by three images the kubelet list runs (digests as the kubelet reports them), and one that does not run.</summary>
    private static async Task ScanKubeletImagesAsync(RuntimeWorld w)
    {
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "metallb/speaker:v0.9.3", SpeakerDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "grafana/grafana:7.0.1", GrafanaDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype, "gcr.io/kuar-demo/kuard-amd64:1", KuardDigest)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/unused:1", "sha256:" + new string('e', 64))
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KubeletPodList_AgainstScannedImages_ShowsRunningEnvironmentsAndWorkloads(string provider)
    {
        var w = new RuntimeWorld(provider, HomeRules with { AllClustersInventoried = true });
        await ScanKubeletImagesAsync(w);
        var before = (await w.FindingsAsync()).ToDictionary(f => f.Repository);
        Assert.All(before.Values, f => Assert.Null(f.Risk!.Runtime.Running)); // no inventory yet: exposure unknown

        var observed = new DateTimeOffset(2020, 9, 16, 4, 0, 0, TimeSpan.Zero);
        // The home cluster has one node, so its kubelet list is all of it, and it is the only cluster (ADR 109: only then
        // does an image the list does not show count as not running).
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"),
            new RuntimeIngestOptions { Cluster = "home", ObservedAt = observed, Coverage = InventoryCoverage.Cluster });
        Assert.Equal("kubernetes-pods", ingest.Kind);
        var inv = ingest.Inventory!;
        Assert.Equal((16, 16, "home", 3), (inv.Workloads, inv.NewWorkloads, inv.Cluster, inv.MatchedImages));
        Assert.Contains("prod", inv.Environments);
        Assert.Contains("staging", inv.Environments);
        Assert.Equal(4, ingest.Refresh.FindingsScored);

        var f = (await w.FindingsAsync()).ToDictionary(x => x.Repository);
        var speaker = f["docker.io/metallb/speaker"].Risk!;
        Assert.Equal((true, 1), (speaker.Runtime.Running, speaker.Runtime.Workloads));
        Assert.Equal(["prod"], speaker.Runtime.Environments);
        Assert.Equal(["home"], speaker.Runtime.Clusters);
        Assert.Equal(observed.UtcDateTime, speaker.Runtime.LastSeen);
        Assert.Contains(speaker.Why, x => x.Factor == "exposure" && x.Detail.Contains("prod"));

        var grafana = f["docker.io/grafana/grafana"].Risk!.Runtime;
        Assert.Equal((true, 1, 1), (grafana.Running, grafana.Workloads, grafana.Replicas));
        Assert.Equal(["staging"], grafana.Environments);
        var kuard = f["gcr.io/kuar-demo/kuard-amd64"].Risk!.Runtime;
        Assert.Equal((true, 1), (kuard.Running, kuard.Workloads));
        Assert.Empty(kuard.Environments); // namespace "default" names no environment

        // Inventories exist and none shows this image: not running, which scores below running in production.
        var unused = f["docker.io/library/unused"].Risk!;
        Assert.False(unused.Runtime.Running);
        Assert.True(speaker.Score > unused.Score);
        Assert.True(speaker.Score > f["gcr.io/kuar-demo/kuard-amd64"].Risk!.Score);

        // The stored order (grid, dashboard) follows: production first, the image that does not run last.
        var ordered = await w.FindingsAsync(sort: FindingSort.Priority);
        Assert.Equal("docker.io/metallb/speaker", ordered[0].Repository);
        Assert.Equal("docker.io/library/unused", ordered[^1].Repository);

        await using var db = w.Db();
        var rows = await db.RuntimeWorkloads.Where(x => x.WorkloadName == "speaker").ToListAsync();
        var row = Assert.Single(rows);
        Assert.Equal(("DaemonSet", "metallb-system", "prod", SpeakerDigest), (row.WorkloadKind, row.Namespace, row.Environment, row.Digest));
        Assert.Equal(observed.UtcDateTime, DateTime.SpecifyKind(row.FirstSeen, DateTimeKind.Utc));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task LaterSnapshotWithoutTheWorkload_AfterTheWindow_IsNotRunning(string provider)
    {
        var w = new RuntimeWorld(provider, HomeRules);
        await ScanKubeletImagesAsync(w);
        var first = new DateTimeOffset(2020, 9, 16, 4, 0, 0, TimeSpan.Zero);
        await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"), new RuntimeIngestOptions { Cluster = "home", ObservedAt = first });

        // The same list again an hour later: one snapshot more, last seen moves, first seen stays.
        var again = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json"), new RuntimeIngestOptions { Cluster = "home", ObservedAt = first.AddHours(1) });
        Assert.False(again.Duplicate); // another snapshot time is another observation
        Assert.Equal(0, again.Inventory!.NewWorkloads);

        // Two days later only grafana runs in the whole cluster.
        const string later = """
            {"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"grafana-7db5dff8ff-abcde","namespace":"olly","labels":{"pod-template-hash":"7db5dff8ff"},
              "ownerReferences":[{"kind":"ReplicaSet","name":"grafana-7db5dff8ff","controller":true}]},
              "status":{"phase":"Running","containerStatuses":[{"name":"grafana","image":"grafana/grafana:7.0.1",
              "imageID":"docker-pullable://grafana/grafana@sha256:eb5abc53bed20198052d4ac0e01a8fd3bfe0c80d8e9eb9d021fbc10f93a25514"}]}}]}
            """;
        // Stated cluster-wide: by itself a list of one namespace would cover only that namespace (ADR 109).
        await w.IngestTextAsync(later, "later.json", new RuntimeIngestOptions { Cluster = "home", ObservedAt = first.AddDays(2), Coverage = InventoryCoverage.Cluster });

        var f = (await w.FindingsAsync()).ToDictionary(x => x.Repository);
        Assert.True(f["docker.io/grafana/grafana"].Risk!.Runtime.Running);
        Assert.Equal(first.AddDays(2).UtcDateTime, f["docker.io/grafana/grafana"].Risk!.Runtime.LastSeen);
        var speaker = f["docker.io/metallb/speaker"].Risk!.Runtime;
        Assert.False(speaker.Running);
        Assert.Equal(first.AddHours(1).UtcDateTime, speaker.LastSeen); // still shown: when it was last seen

        await using var db = w.Db();
        var grafana = await db.RuntimeWorkloads.SingleAsync(x => x.WorkloadName == "grafana" && x.Container == "grafana");
        Assert.Equal(first.UtcDateTime, DateTime.SpecifyKind(grafana.FirstSeen, DateTimeKind.Utc));
        Assert.Equal(first.AddDays(2).UtcDateTime, DateTime.SpecifyKind(grafana.LastSeen, DateTimeKind.Utc));
        Assert.Equal(3, await db.RuntimeSnapshots.CountAsync());
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TrivyOperatorReport_LandsAsScanAndInventory(string provider)
    {
        var w = new RuntimeWorld(provider);
        var options = new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = new DateTimeOffset(2023, 3, 1, 12, 0, 0, TimeSpan.Zero) };
        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "trivy-operator_vulnerabilityreport_many.json"), options);
        Assert.Equal("trivy-operator", ingest.Kind);
        Assert.NotNull(ingest.Scan);
        Assert.Equal(41, ingest.Scan!.Observations);
        Assert.Equal(1, ingest.Inventory!.MatchedImages);

        var findings = await w.FindingsAsync();
        Assert.Equal(ingest.Scan.Findings, findings.Count);
        Assert.All(findings, f =>
        {
            Assert.Equal("docker.io/library/nginx", f.Repository);
            Assert.True(f.Risk!.Runtime.Running);
            Assert.Equal(1, f.Risk.Runtime.Workloads);
            Assert.Null(f.Risk.Runtime.Replicas); // trivy-operator does not count pods
        });
        await using var db = w.Db();
        var workload = await db.RuntimeWorkloads.SingleAsync();
        Assert.Equal(("Deployment", "nginx-deployment", "nginx", "prod-eu"), (workload.WorkloadKind, workload.WorkloadName, workload.Container, workload.Cluster));
        Assert.Equal(1, await db.Scans.CountAsync());

        // Ingesting the same report for the same time again changes nothing.
        var again = await w.IngestAsync(TestPaths.Fixture("runtime", "k8s", "trivy-operator_vulnerabilityreport_many.json"), options);
        Assert.True(again.Duplicate);
        Assert.True(again.Scan!.Duplicate);
    }
}
