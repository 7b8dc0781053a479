using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Triage.Core.Domain;
using Triage.Core.Runtime.Inventory;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// A finding on a tag's old digest while a newer digest runs under the tag (ADR 109): the package list of the digest that
/// runs, when Triage holds one (an ingested SBOM or package list, or its own Trivy --list-all-pkgs scan), judges the
/// old digest's findings, and a component it lacks is proposed as component_not_present.
/// </summary>
public class RunningImagePackagesTests
{
    private const string Image = RuntimeVerdictTests.NginxImage;
    private const string OldDigest = RuntimeVerdictTests.NginxDigest;
    internal static readonly string RunningDigest = ReportBuilder.Digest('d');
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Removed = ["nginx-module-geoip", "libgeoip1"];

    /// <summary>The image that runs now: the old image's Trivy --list-all-pkgs list without the GeoIP module and its library.</summary>
    private static JsonNode RunningPackageList()
    {
        var doc = JsonNode.Parse(File.ReadAllText(TestPaths.Local("Triage.Core.Tests", "Runtime", "nginx-distroless-stretch_trivy-list-all-pkgs.json")))!;
        doc["ArtifactName"] = Image + ":1.13.5";
        doc["ArtifactType"] = "container_image";
        doc["Metadata"]!["RepoDigests"] = new JsonArray(Image + "@" + RunningDigest);
        doc["Metadata"]!["RepoTags"] = new JsonArray(Image + ":1.13.5");
        var packages = doc["Results"]![0]!["Packages"]!.AsArray();
        foreach (var p in packages.Where(p => Removed.Contains(p!["Name"]!.GetValue<string>())).ToList()) packages.Remove(p);
        return doc;
    }

    /// <summary>The running image scanned with Trivy --list-all-pkgs: the list above with a finding per package.</summary>
    internal static JsonNode RunningScan()
    {
        var scan = RuntimeVerdictTests.NginxScan();
        scan["Metadata"]!["RepoDigests"] = new JsonArray(Image + "@" + RunningDigest);
        var result = scan["Results"]![0]!;
        foreach (var array in new[] { result["Packages"]!.AsArray(), result["Vulnerabilities"]!.AsArray() })
            foreach (var p in array.Where(p => Removed.Contains((p!["Name"] ?? p["PkgName"])!.GetValue<string>())).ToList()) array.Remove(p);
        return scan;
    }

    /// <summary>`kubectl get pods -A -o json` of a cluster running <paramref name="digest"/> under the 1.13.5 tag (null:
    /// the web workload is gone, only kube-proxy runs).</summary>
    internal static string Pods(string? digest) => $$$"""
        {"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[{{{(digest is null ? "" : WebPod(digest) + ",")}}}
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"kube-proxy-cxkwh","namespace":"kube-system"},"spec":{"nodeName":"n1"},
           "status":{"phase":"Running","containerStatuses":[{"name":"kube-proxy","image":"k8s.gcr.io/kube-proxy:v1.18.1",
             "imageID":"docker-pullable://k8s.gcr.io/kube-proxy@sha256:aeb82818de76ad19697136ed26650ef2fd4270dcf9cf25a4af717b38cbc6a8f9"}]}}]}
        """;

    private static string WebPod(string digest) => $$$"""
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d9f8c6b5-x2x4z","namespace":"web","labels":{"pod-template-hash":"7d9f8c6b5","environment":"prod"},
            "ownerReferences":[{"kind":"ReplicaSet","name":"web-7d9f8c6b5","controller":true}]},"spec":{"nodeName":"n1"},
           "status":{"phase":"Running","containerStatuses":[{"name":"nginx","image":"{{{Image}}}:1.13.5","imageID":"docker-pullable://{{{Image}}}@{{{digest}}}"}]}}
        """;

    /// <summary>The stored marker of each stored verdict (ADR 112), by finding id.</summary>
    private static async Task<Dictionary<long, bool>> FromRunningImageAsync(RuntimeWorld w)
    {
        await using var db = w.Db();
        return await db.FindingVerdicts.AsNoTracking().ToDictionaryAsync(v => v.FindingId, v => v.FromRunningImage);
    }

    private static async Task<Dictionary<string, FindingView>> OldImageFindings(RuntimeWorld w) =>
        (await w.FindingsAsync()).Where(f => f.Digest == OldDigest).ToDictionary(f => f.Package.Name);

    private static void AssertJudgedByTheRunningList(Dictionary<string, FindingView> f)
    {
        foreach (var gone in Removed)
        {
            var r = f[gone].Risk!;
            Assert.Equal((ReachabilityVerdict.NotPresent, VerdictConfidence.High, ProposedJustification.ComponentNotPresent),
                (r.Reachability.Verdict, r.Reachability.Confidence, r.Reachability.ProposedJustification));
            var source = Assert.Single(r.Reachability.Sources);
            Assert.Equal("running-image-packages:trivy", source.Source);
            Assert.Equal($"the running image {Image}:1.13.5@{RunningDigest}'s package list has no {gone} (of any version)", source.Detail);
            // The ranking says why it dropped.
            Assert.Contains(r.Why, x => x.Factor == "reachability" && x.Contribution == -25m);
        }
        // Packages the running image has are not judged by it.
        var libssl = f["libssl1.1"].Risk!.Reachability;
        Assert.Equal((ReachabilityVerdict.Unknown, true), (libssl.Verdict, libssl.Evaluated));
        Assert.Null(libssl.ProposedJustification);
        Assert.Contains(libssl.Notes, n => n.StartsWith($"the running image {Image}:1.13.5@{RunningDigest} lists pkg:deb/debian/libssl1.1@", StringComparison.Ordinal));
        Assert.Contains(libssl.Notes, n => n.Contains("no current workload runs this digest", StringComparison.Ordinal));
        Assert.True(f["libgeoip1"].Risk!.Score < f["libssl1.1"].Risk!.Score);
        // Findings stay open: a person confirms the proposed justification.
        Assert.All(f.Values, v => Assert.True(v.Active));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task InventoryThenRunningDigestsPackageList_OldDigestsFindingsNotPresent_UntilTheOldDigestRunsAgain(string provider)
    {
        var w = new RuntimeWorld(provider);
        Assert.Equal(12, (await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json")).Findings);

        var pods = await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });
        Assert.Equal("cluster", pods.Inventory!.Coverage);
        var f = await OldImageFindings(w);
        // The old digest runs nowhere in a cluster where its repository runs: not running. No package list of the running digest yet.
        Assert.All(f.Values, v => Assert.False(v.Risk!.Runtime.Running));
        Assert.All(f.Values, v => Assert.False(v.Risk!.Reachability.Evaluated));

        var list = await w.IngestTextAsync(RunningPackageList().ToJsonString(), "running-sbom.json");
        Assert.Equal("package-file-list", list.Kind);
        Assert.Empty(Assert.Single(list.Images).MatchedImages); // the running digest itself was never scanned
        Assert.Equal(12, list.Refresh.FindingsJudged);
        Assert.Equal(12, list.Refresh.FindingsScored);
        f = await OldImageFindings(w);
        AssertJudgedByTheRunningList(f);
        var notPresent = await w.FindingsAsync(new FindingFilter { Reachability = [ReachabilityVerdict.NotPresent] });
        Assert.Equal(Removed.Order(), notPresent.Select(x => x.Package.Name).Order());
        // Every verdict the running list gave is marked, the claims (not_present) and the notes (libssl1.1 is listed) alike:
        // the refresh after the next inventory finds them by the marker's index.
        Assert.Equal(f.Values.Select(v => (v.Id, true)).Order(), (await FromRunningImageAsync(w)).Select(x => (x.Key, x.Value)).Order());

        // Two days later the old digest runs again (a rollback): it is its own running image, nothing judges it any more.
        await w.IngestTextAsync(Pods(OldDigest), "pods-rollback.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0.AddDays(2) });
        f = await OldImageFindings(w);
        Assert.All(f.Values, v => Assert.True(v.Risk!.Runtime.Running));
        Assert.All(f.Values, v => Assert.Equal((ReachabilityVerdict.Unknown, false), (v.Risk!.Reachability.Verdict, v.Risk.Reachability.Evaluated)));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PackageListThenInventory_AppliesWhenTheInventoryShowsTheDigestRunning(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json");
        var list = await w.IngestTextAsync(RunningPackageList().ToJsonString(), "running-sbom.json");
        Assert.Equal(0, list.Refresh.FindingsJudged); // nothing runs yet: the list is of an image Triage knows nothing of

        var pods = await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });
        Assert.Equal(12, pods.Refresh.FindingsJudged);
        AssertJudgedByTheRunningList(await OldImageFindings(w));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunningDigestScannedWithListAllPkgs_JudgesTheOldDigest_NotItself(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json");
        await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });

        // The scan of the running digest is imported after the inventory: its import judges the tag's old digest too.
        var scan = await w.ImportJsonAsync(RunningScan(), "nginx-1.13.5-running.json");
        Assert.Equal(10, scan.Findings);
        AssertJudgedByTheRunningList(await OldImageFindings(w));
        var running = (await w.FindingsAsync()).Where(x => x.Digest == RunningDigest).ToList();
        Assert.All(running, x => Assert.True(x.Risk!.Runtime.Running));
        Assert.All(running, x => Assert.False(x.Risk!.Reachability.Evaluated)); // it runs itself: nothing runs in its place
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RunningDigestScannedWithoutAPackageList_CannotJudgeTheOldDigest(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json");
        // A scan that lists only vulnerable packages (Grype, Snyk, Trivy without --list-all-pkgs; here without a raw
        // report at all) says nothing about the packages it does not name.
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype, Image + ":1.13.5", RunningDigest)
            .Claim("CVE-2099-1001", "deb", "libssl1.1", "1.1.0f-3+deb9u2"));
        await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });

        var f = await OldImageFindings(w);
        Assert.All(f.Values, v => Assert.Equal((ReachabilityVerdict.Unknown, false), (v.Risk!.Reachability.Verdict, v.Risk.Reachability.Evaluated)));
        Assert.All(f.Values, v => Assert.Null(v.Risk!.Reachability.ProposedJustification));
    }

    /// <summary>The inventory no longer names the old digest nor the tag: only the verdicts' marker says which artifact the
    /// running list judged, and the refresh withdraws what that list said (ADR 112).</summary>
    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task InventoryWithoutTheWorkload_WithdrawsTheVerdictsTheRunningListGave(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json");
        await w.IngestTextAsync(RunningPackageList().ToJsonString(), "running-sbom.json");
        await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });
        AssertJudgedByTheRunningList(await OldImageFindings(w));

        // Two days later the web deployment is gone: no image runs under the tag, nothing judges the old digest. (The list
        // now holds one namespace: its uploader states that it is the whole cluster.)
        var gone = await w.IngestTextAsync(Pods(null), "pods-gone.json",
            new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0.AddDays(2), Coverage = InventoryCoverage.Cluster });
        Assert.Equal(0, gone.Refresh.FindingsJudged);
        var f = await OldImageFindings(w);
        Assert.All(f.Values, v => Assert.Equal((ReachabilityVerdict.Unknown, false), (v.Risk!.Reachability.Verdict, v.Risk.Reachability.Evaluated)));
        Assert.All(f.Values, v => Assert.Null(v.Risk!.Reachability.ProposedJustification));
        Assert.Empty(await FromRunningImageAsync(w));
    }

    /// <summary>The refresh after an inventory reads the marked verdicts from their partial index, on a database without
    /// statistics as Triage keeps it, never every verdict (ADR 112). PostgreSQL would scan tables this small: it is only
    /// asked whether the index serves the statement.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RefreshAfterAnInventory_FindsTheVerdictsJudgedByARunningImage_InTheirIndex(string provider)
    {
        var cs = TestDatabases.New(provider);
        await TriageDatabase.MigrateAsync(cs);
        await using var conn = await TriageDatabase.OpenConnectionAsync(cs);
        var sqlite = provider == TestDatabases.Sqlite;
        if (!sqlite)
            await using (var off = conn.CreateCommand())
            {
                off.CommandText = "SET enable_seqscan = off";
                await off.ExecuteNonQueryAsync();
            }
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + VerdictRefresher.JudgedByRunningImagesSql;
        var plan = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) plan.Add(r.GetString(sqlite ? 3 : 0));

        // SQLite reads the index alone, then each finding by its id; PostgreSQL (told to avoid table scans) reads the index.
        Assert.Contains(plan, l => l.Contains(sqlite ? "SCAN FindingVerdicts USING COVERING INDEX IX_FindingVerdicts_FromRunningImage"
            : "on \"IX_FindingVerdicts_FromRunningImage\"", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.Contains(sqlite ? "SCAN Findings" : "Seq Scan", StringComparison.Ordinal));
    }

    /// <summary>A database upgraded from before the marker: the migration marks the verdicts the old refresh found by their
    /// text (a running-image-packages claim, a note about the running image) and no other, and the next inventory
    /// re-judges the same artifacts as before the upgrade (ADR 112).</summary>
    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task VerdictsStoredBeforeTheMarker_AreMarkedByTheMigration_AsTheOldRefreshFoundThem(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-1.13.5-old.json");
        await w.IngestTextAsync(RunningPackageList().ToJsonString(), "running-sbom.json");
        await w.IngestTextAsync(Pods(RunningDigest), "pods.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0 });
        var f = await OldImageFindings(w);
        var other = f.Keys.Order(StringComparer.Ordinal).First(k => !Removed.Contains(k) && k != "libssl1.1");
        var fileNotes = f.Keys.Order(StringComparer.Ordinal).Last(k => !Removed.Contains(k) && k != "libssl1.1" && k != other);

        await using (var db = w.Db())
        {
            var ids = TriageDatabase.MigrationIds(db.Provider);
            var index = ids.ToList().FindIndex(id => id.EndsWith("_VerdictFromRunningImage", StringComparison.Ordinal));
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(ids[index - 1]);
            // Verdicts as an older version could have stored them: a running-image claim without the note, verdicts with
            // neither (no claim at all; a claim and a note of other evidence), beside the rows as judged (the claims and
            // the note, or the note only).
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"FindingVerdicts\" SET \"NotesJson\" = NULL WHERE \"FindingId\" = {0}", f["libgeoip1"].Id);
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"FindingVerdicts\" SET \"SourcesJson\" = '[]', \"NotesJson\" = NULL WHERE \"FindingId\" = {0}", f[other].Id);
            await db.Database.ExecuteSqlRawAsync(
                "UPDATE \"FindingVerdicts\" SET \"SourcesJson\" = {0}, \"NotesJson\" = {1} WHERE \"FindingId\" = {2}",
                """[{"source":"slim","verdict":"present_not_loaded","confidence":"medium","detail":"the running container kept its files"}]""",
                """["no file list for it: runtime file evidence cannot be applied"]""", f[fileNotes].Id);
            await migrator.MigrateAsync(ids[^1]);
        }

        var expected = f.Values.ToDictionary(v => v.Id, v => v.Id != f[other].Id && v.Id != f[fileNotes].Id);
        Assert.Equal(expected.OrderBy(x => x.Key), (await FromRunningImageAsync(w)).OrderBy(x => x.Key));

        // The old digest runs again: the verdicts the running list gave are withdrawn, as before the upgrade.
        await w.IngestTextAsync(Pods(OldDigest), "pods-rollback.json", new RuntimeIngestOptions { Cluster = "prod-eu", ObservedAt = T0.AddDays(2) });
        Assert.All((await OldImageFindings(w)).Values,
            v => Assert.Equal((ReachabilityVerdict.Unknown, false), (v.Risk!.Reachability.Verdict, v.Risk.Reachability.Evaluated)));
    }
}
