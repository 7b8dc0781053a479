using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Runtime;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Metrics;
using Triage.Data.Runtime;
using Triage.Data.Tests.Vex;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// Runtime retention (ADR 111): superseded inventory snapshots, workloads long gone and superseded evidence no verdict reads
/// are deleted; every verdict, score and explanation is the same before and after, and judged again from what is left.
/// </summary>
public class RuntimeRetentionTests
{
    private const string Nginx = RuntimeVerdictTests.NginxImage;
    private const string OldNginx = RuntimeVerdictTests.NginxDigest;
    private static readonly string RunningNginx = ReportBuilder.Digest('d');
    private static readonly string Api = ReportBuilder.Digest('a');
    private static readonly string Legacy = ReportBuilder.Digest('b');
    private static readonly string Cron = ReportBuilder.Digest('c');
    private static readonly string Grafana = ReportBuilder.Digest('e');
    private static readonly string Ghost = ReportBuilder.Digest('f');
    private static readonly string Ghost2 = ReportBuilder.Digest('9');
    private static readonly string OldLegacy = ReportBuilder.Digest('8');
    private static readonly string Sensor = ReportBuilder.Digest('7');
    private static readonly string Gateway = ReportBuilder.Digest('6');

    private static readonly DateTimeOffset Now = Round(DateTimeOffset.UtcNow);

    private static DateTimeOffset Round(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset DaysAgo(int days) => Now.AddDays(-days);

    private static RuntimeSettings Settings => RuntimeSettings.Default with
    {
        Environments = new EnvironmentRules { Namespaces = [new("shop", "prod"), new("olly", "staging")] },
    };

    private sealed record Pod(string Namespace, string Name, string Repository, string Tag, string Digest);

    /// <summary>`kubectl get pods -o json` of the pods given.</summary>
    private static string Pods(params Pod[] pods)
    {
        var items = new JsonArray();
        foreach (var p in pods)
            items.Add(JsonNode.Parse($$$"""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{p.Name}}}-5d9f8c6b5-x2x4z","namespace":"{{{p.Namespace}}}",
                  "ownerReferences":[{"kind":"ReplicaSet","name":"{{{p.Name}}}-5d9f8c6b5","controller":true}]},"spec":{"nodeName":"n1"},
                 "status":{"phase":"Running","containerStatuses":[{"name":"{{{p.Name}}}","image":"{{{p.Repository}}}:{{{p.Tag}}}",
                   "imageID":"docker-pullable://{{{p.Repository}}}@{{{p.Digest}}}"}]}}
                """));
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["metadata"] = new JsonObject { ["resourceVersion"] = "" }, ["items"] = items }.ToJsonString();
    }

    private static readonly Pod WebOld = new("shop", "web", Nginx, "1.13.5", OldNginx);
    private static readonly Pod WebNew = new("shop", "web", Nginx, "1.13.5", RunningNginx);
    private static readonly Pod ApiPod = new("shop", "api", "registry.example/shop/api", "2", Api);
    private static readonly Pod LegacyA = new("old", "legacy-a", "docker.io/library/legacy", "1", Legacy);
    private static readonly Pod LegacyB = new("old", "legacy-b", "docker.io/library/legacy", "1", Legacy);
    private static readonly Pod LegacyOld = new("old", "legacy-old", "docker.io/library/legacy", "0", OldLegacy);
    private static readonly Pod CronX = new("old", "cron-x", "registry.example/tools/cron", "1", Cron);
    private static readonly Pod CronY = new("old", "cron-y", "registry.example/tools/cron", "1", Cron);
    private static readonly Pod GrafanaPod = new("olly", "grafana", "docker.io/grafana/grafana", "7.0.1", Grafana);
    private static readonly Pod SensorPod = new("iot", "sensor", "registry.example/iot/sensor", "1", Sensor);
    private static readonly Pod GatewayPod = new("iot", "gateway", "registry.example/iot/gateway", "1", Gateway);

    /// <summary>The package list of the nginx digest that runs now (ADR 109): the scanned image's list without some packages.</summary>
    private static string RunningPackageList(params string[] removed)
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json")))!;
        doc["ArtifactName"] = Nginx + ":1.13.5";
        doc["ArtifactType"] = "container_image";
        doc["Metadata"]!["RepoDigests"] = new JsonArray(Nginx + "@" + RunningNginx);
        doc["Metadata"]!["RepoTags"] = new JsonArray(Nginx + ":1.13.5");
        var packages = doc["Results"]![0]!["Packages"]!.AsArray();
        foreach (var p in packages.Where(p => removed.Contains(p!["Name"]!.GetValue<string>())).ToList()) packages.Remove(p);
        return doc.ToJsonString();
    }

    private static string Profile(string digest, string path) =>
        $$$"""
        {"profile":{"image":"registry.example/ghost@{{{digest}}}","complete":true,"source":"tetragon"}}
        {"image":"registry.example/ghost@{{{digest}}}","path":"{{{path}}}","op":"exec"}
        """;

    /// <summary>
    /// Cluster home: scans of nginx (an old digest; a newer one runs under its tag), api (runs), legacy:1 (stopped 95 days
    /// ago, one of its two workloads 100), legacy:0 (stopped 100 days ago), tools/cron:2 (never ran; cron:1 stopped 95 and 100
    /// days ago), grafana (only a namespace list showed it, 50 days ago); inventories 100, 95, 80, 70, 60 and 1 day(s) old of
    /// the whole cluster, and one of namespace olly 50 days old. Cluster edge, with lists of namespace iot only (the first 120
    /// days ago): sensor, seen 60 days ago and gone from the newer list 40 days ago, which only a node's list 35 days ago follows.
    /// Evidence: slim reports of nginx 210 and 150 days old; two package lists of the running nginx digest (200 and 120
    /// days); profiles of an image never scanned (220, 200 and 120 days, and two recent ones of another).
    /// </summary>
    private static async Task<(RuntimeWorld World, ManualClock Clock)> BuildAsync(string provider)
    {
        var clock = new ManualClock(DaysAgo(210));
        var w = new RuntimeWorld(provider, Settings, time: clock);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-trivy.json");
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/shop/api:2", Api)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/legacy:1", Legacy)
            .Claim("CVE-2021-0002", "apk", "musl", "1.1.24-r2", Severity.Critical));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/legacy:0", OldLegacy)
            .Claim("CVE-2021-0002", "apk", "musl", "1.1.24-r1", Severity.Critical));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/tools/cron:2", ReportBuilder.Digest('5'))
            .Claim("CVE-2021-0002", "apk", "musl", "1.1.24-r2", Severity.Critical));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/grafana/grafana:7.0.1", Grafana)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/iot/sensor:1", Sensor)
            .Claim("CVE-2021-0001", "apk", "busybox", "1.31.1-r9", Severity.High, fixedIn: ["1.31.1-r10"]));

        clock.Now = DaysAgo(220);
        await w.IngestTextAsync(Profile(Ghost, "/usr/bin/ghost0"), "ghost-0.jsonl");
        clock.Now = DaysAgo(210);

        var creport = TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json");
        await w.IngestAsync(creport, new RuntimeIngestOptions { Image = $"{Nginx}@{OldNginx}" });
        clock.Now = DaysAgo(200);
        await w.IngestTextAsync(Profile(Ghost, "/usr/bin/ghost"), "ghost-1.jsonl");
        await w.IngestTextAsync(RunningPackageList("nginx-module-geoip"), "running-1.json");
        clock.Now = DaysAgo(150);
        await w.IngestAsync(creport, new RuntimeIngestOptions { Image = $"{Nginx}@{OldNginx}", SlimCompleteness = ProfileCompleteness.Partial });
        clock.Now = DaysAgo(120);
        await w.IngestTextAsync(Profile(Ghost, "/usr/bin/ghost2"), "ghost-2.jsonl");
        await w.IngestTextAsync(RunningPackageList("nginx-module-geoip", "libgeoip1"), "running-2.json");

        clock.Now = Now;
        async Task Inventory(int daysAgo, InventoryCoverage coverage, params Pod[] pods) => await InventoryOf("home", daysAgo, coverage, pods);
        async Task InventoryOf(string cluster, int daysAgo, InventoryCoverage coverage, params Pod[] pods) =>
            await w.IngestTextAsync(Pods(pods), $"pods-{daysAgo}.json", new RuntimeIngestOptions { Cluster = cluster, ObservedAt = DaysAgo(daysAgo), Coverage = coverage });
        await Inventory(100, InventoryCoverage.Cluster, WebOld, ApiPod, LegacyA, LegacyB, LegacyOld, CronX);
        await Inventory(95, InventoryCoverage.Cluster, WebOld, ApiPod, LegacyB, CronY);
        await Inventory(80, InventoryCoverage.Cluster, WebOld, ApiPod);
        await Inventory(70, InventoryCoverage.Cluster, WebOld, ApiPod);
        await Inventory(60, InventoryCoverage.Cluster, WebOld, ApiPod);
        await Inventory(50, InventoryCoverage.ForNamespaces(["olly"]), GrafanaPod);
        await Inventory(1, InventoryCoverage.Cluster, WebNew, ApiPod);
        await InventoryOf("edge", 120, InventoryCoverage.ForNamespaces(["iot"]), GatewayPod);
        await InventoryOf("edge", 60, InventoryCoverage.ForNamespaces(["iot"]), SensorPod, GatewayPod);
        await InventoryOf("edge", 40, InventoryCoverage.ForNamespaces(["iot"]), GatewayPod);
        await InventoryOf("edge", 35, InventoryCoverage.ForNode("n1"), GatewayPod);

        clock.Now = DaysAgo(10);
        await w.IngestTextAsync(Profile(Ghost2, "/usr/bin/a"), "ghost2-1.jsonl");
        clock.Now = DaysAgo(5);
        await w.IngestTextAsync(Profile(Ghost2, "/usr/bin/b"), "ghost2-2.jsonl");
        clock.Now = Now;
        return (w, clock);
    }

    /// <summary>Every finding's stored verdict and score, its explanation as pages build it, and what the weekly metrics count
    /// from; times of computation left out.</summary>
    private static async Task<List<string>> Fingerprint(RuntimeWorld w)
    {
        await using var db = w.Db();
        var rows = new List<string>();
        foreach (var v in await db.FindingVerdicts.AsNoTracking().OrderBy(v => v.FindingId).ToListAsync())
            rows.Add($"verdict {v.FindingId} {v.Verdict} {v.Confidence} {v.ProposedJustification} {v.SourcesJson} {v.NotesJson} {v.VerdictSince:O}");
        foreach (var r in await db.FindingRisks.AsNoTracking().OrderBy(r => r.FindingId).ToListAsync())
            rows.Add($"risk {r.FindingId} {r.ScoreTenths} {r.Priority} {r.Excluded} {r.RankKey} {r.CvssScore} {r.PrioritySince:O}");
        var ids = await db.Findings.Select(f => f.Id).OrderBy(id => id).ToListAsync();
        foreach (var (id, view) in (await FindingRiskViews.LoadAsync(db, ids)).OrderBy(x => x.Key))
            rows.Add($"view {id} {JsonSerializer.Serialize(view)}");
        var production = await RiskAsOf.LoadProductionAsync(db, default);
        var findings = new RiskAsOf();
        await findings.LoadFindingsAsync(db, await db.Artifacts.Select(a => a.Id).ToListAsync(), DateTime.MinValue, default);
        rows.Add($"metrics {production.ProductionSince:O} {findings.ReachabilitySince:O}");
        return rows;
    }

    private static async Task<(int Workloads, int Snapshots, int Files, int Parts)> Counts(RuntimeWorld w)
    {
        await using var db = w.Db();
        return (await db.RuntimeWorkloads.CountAsync(), await db.RuntimeSnapshots.CountAsync(), await db.RuntimeEvidenceFiles.CountAsync(),
            await db.RuntimeImageEvidence.CountAsync());
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Purge_DeletesOnlyWhatIsSuperseded_AndEveryVerdictScoreAndExplanationStaysTheSame(string provider)
    {
        var (w, clock) = await BuildAsync(provider);
        await w.Risk.RefreshEverythingAsync();
        var before = await Fingerprint(w);
        // The scenario is not trivial: the running digest's list and the slim reports judge nginx; images run, ran or are unknown.
        Assert.Contains(before, r => r.StartsWith("verdict") && r.Contains("running-image-packages:"));
        Assert.Contains(before, r => r.StartsWith("verdict") && r.Contains("slim-creport"));
        Assert.Equal((11, 11, 20, 11), await Counts(w));

        var retention = new RuntimeRetention(w.Conn, RuntimeRetentionSettings.Default, Settings, clock);
        var dry = await retention.PurgeAsync(dryRun: true);
        Assert.Equal((true, 2, 2, 2, 1, 1, 0), (dry.DryRun, dry.Workloads, dry.Snapshots, dry.InventoryFiles, dry.EvidenceFiles, dry.EvidenceParts, dry.Batches));
        Assert.True(dry.Bytes > 0);
        Assert.Equal((11, 11, 20, 11), await Counts(w));

        var purged = await retention.PurgeAsync();
        Assert.Equal((false, 2, 2, 2, 1, 1, dry.Bytes), (purged.DryRun, purged.Workloads, purged.Snapshots, purged.InventoryFiles, purged.EvidenceFiles,
            purged.EvidenceParts, purged.Bytes));
        Assert.Equal((9, 9, 17, 10), await Counts(w));
        await using (var db = w.Db())
        {
            // A stopped workload goes when another of its repository and cluster (legacy-b, cron-y) and of its image (legacy-old)
            // stays; every one that ran in the last 90 days stays.
            Assert.Equal(["api", "cron-y", "gateway", "grafana", "legacy-b", "legacy-old", "sensor", "web", "web"],
                (await db.RuntimeWorkloads.Select(x => x.Container).ToListAsync()).Order());
            // Kept: the first snapshot (edge, 120: the weekly metrics count production from it), the ones the remaining workloads were last seen by (home 95 and 60, edge 60 and 35), the
            // newest of each cluster and coverage (home 50 and 1, edge 40: sensor does not run since).
            Assert.Equal([120, 100, 95, 60, 60, 50, 40, 35, 1], (await db.RuntimeSnapshots.OrderBy(s => s.ObservedAt).Select(s => s.ObservedAt).ToListAsync())
                .Select(t => (int)Math.Round((Now.UtcDateTime - t).TotalDays)));
            // Kept: both slim reports (they judge nginx), both package lists (their digest runs), the newest profile of each ghost,
            // and the first profile of all (the weekly metrics count verdicts from it).
            Assert.Equal(["ghost-0.jsonl", "ghost-2.jsonl", "ghost2-1.jsonl", "ghost2-2.jsonl", "nginx-distroless_creport.json", "nginx-distroless_creport.json",
                    "running-1.json", "running-2.json"],
                (await db.RuntimeEvidenceFiles.Where(f => f.Kind != RuntimeEvidenceKind.KubernetesPods).Select(f => f.FileName).ToListAsync()).Order());
        }

        // What pages show is the same straight after the purge, and so is everything judged and scored again from what is left.
        Assert.Equal(before, await Fingerprint(w));
        await w.Risk.RefreshEverythingAsync();
        Assert.Equal(before, await Fingerprint(w));

        // Nothing more to do.
        var again = await retention.PurgeAsync();
        Assert.Equal((0, 0, 0), (again.Deleted, again.Batches, (int)again.Bytes));
        Assert.Equal((9, 9, 17, 10), await Counts(w));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Purge_FollowsTheSettings_ZeroKeepsForEver_AndBatchesAreBounded(string provider)
    {
        var (w, clock) = await BuildAsync(provider);
        var counts = await Counts(w);

        var off = await new RuntimeRetention(w.Conn, new RuntimeRetentionSettings { SnapshotDays = 0, WorkloadDays = 0, EvidenceDays = 0 }, Settings, clock).PurgeAsync();
        Assert.Equal(0, off.Deleted);
        Assert.Equal(counts, await Counts(w));

        // Snapshots older than 75 days (the 80-day one; 70 is younger), no workload is 120 days gone, evidence kept for ever.
        var some = await new RuntimeRetention(w.Conn, new RuntimeRetentionSettings { SnapshotDays = 75, WorkloadDays = 120, EvidenceDays = 0 }, Settings, clock)
            .PurgeAsync();
        Assert.Equal((0, 1, 1, 0), (some.Workloads, some.Snapshots, some.InventoryFiles, some.EvidenceFiles));
        await using (var db = w.Db())
            Assert.DoesNotContain(await db.RuntimeSnapshots.Select(s => s.ObservedAt).ToListAsync(), t => t == DaysAgo(80).UtcDateTime);

        // The defaults, one row per transaction.
        var rest = await new RuntimeRetention(w.Conn, RuntimeRetentionSettings.Default with { BatchSize = 1 }, Settings, clock).PurgeAsync();
        Assert.Equal((2, 1, 1, 1, 4), (rest.Workloads, rest.Snapshots, rest.InventoryFiles, rest.EvidenceFiles, rest.Batches));
    }

    [Fact]
    public void Settings_OutOfRange_AreRefusedWithTheirNames()
    {
        var e = Assert.Throws<ArgumentException>(() => new RuntimeRetention("Data Source=x.db", new RuntimeRetentionSettings { SnapshotDays = -1, BatchSize = 0 }));
        Assert.Contains("Triage:Runtime:Retention:SnapshotDays", e.Message);
        Assert.Contains("Triage:Runtime:Retention:BatchSize", e.Message);
    }
}
