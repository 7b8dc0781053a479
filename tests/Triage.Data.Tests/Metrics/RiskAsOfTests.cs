using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Metrics;
using Triage.Data.Runtime;
using Triage.Data.Tests.Runtime;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Metrics;

/// <summary>
/// The weekly columns for priority, reachability, KEV and production, from data stored the way the product stores it: the
/// nginx-distroless scan of the runtime tests (12 findings, one per package), then the product's services at chosen moments.
///   2026-01-05 10:00 (W02)  scan imported
///   2026-01-14 10:00 (W03)  pod list: the image runs in namespace prod (every finding scored)
///   2026-01-21 10:00 (W04)  KEV catalog: CVE-2099-1000 added by CISA on 2026-01-13 (findings scored again, its finding moves up)
///   2026-01-28 10:00 (W05)  slim container report of the image (verdicts; its findings scored again)
///   now 2026-02-04 12:00 (W06, in progress)
/// </summary>
public sealed class RiskAsOfTests
{
    private const string Repository = RuntimeVerdictTests.NginxImage;

    private static DateTime At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    private static readonly string PodList = $$$"""
        {"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"web-7db5dff8ff-abcde","namespace":"prod","labels":{"pod-template-hash":"7db5dff8ff"},
          "ownerReferences":[{"kind":"ReplicaSet","name":"web-7db5dff8ff","controller":true}]},
          "status":{"phase":"Running","containerStatuses":[{"name":"nginx","image":"{{{Repository}}}:1.13.5",
          "imageID":"docker-pullable://{{{Repository}}}@{{{RuntimeVerdictTests.NginxDigest}}}"}]}}]}
        """;

    private const string KevCatalog = """
        {"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.01.20","dateReleased":"2026-01-20T00:00:00Z","count":1,
         "vulnerabilities":[{"cveID":"CVE-2099-1000","vendorProject":"X","product":"Y","vulnerabilityName":"Z","dateAdded":"2026-01-13",
         "dueDate":"2026-02-03","knownRansomwareCampaignUse":"Unknown"}]}
        """;

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task StoredScoresVerdictsKevAndInventory_FillTheWeeksFromWhenTheyExisted(string provider)
    {
        var cs = TestDatabases.New(provider);
        var scan = Path.Combine(Path.GetTempPath(), $"nginx-distroless-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(scan, RuntimeVerdictTests.NginxScan().ToJsonString());
        try
        {
            Assert.Equal(12, (await new HistoryWriter(cs).ImportFileAsync(At(1, 5), scan)).Findings);
        }
        finally
        {
            File.Delete(scan);
        }

        var clock = new FixedClock(At(1, 14));
        var runtime = new RuntimeIngestService(cs, time: clock);
        var inventory = await runtime.IngestAsync(new MemoryStream(Encoding.UTF8.GetBytes(PodList)), "pods.json",
            new RuntimeIngestOptions { Cluster = "eu", ObservedAt = clock.Now });
        Assert.Equal((1, 12), (inventory.Inventory!.MatchedImages, inventory.Refresh.FindingsScored));
        var scoredW03 = await PrioritiesAsync(cs);

        clock.Now = At(1, 21);
        var kev = await new EnrichmentService(cs, time: clock).ImportAsync(new MemoryStream(Encoding.UTF8.GetBytes(KevCatalog)), "kev.json", new EnrichmentImportOptions());
        Assert.Equal(1, kev.Added);
        var scoredW04 = await PrioritiesAsync(cs);

        clock.Now = At(1, 28);
        RuntimeIngestSummary slim;
        await using (var creport = File.OpenRead(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json")))
            slim = await runtime.IngestAsync(creport, "creport.json", new RuntimeIngestOptions { Image = $"{Repository}@{RuntimeVerdictTests.NginxDigest}" });
        Assert.Equal(12, slim.Refresh.FindingsJudged);

        var run = await new MetricsSnapshotter(cs, SlaPolicy.Default, new FixedClock(At(2, 4, 12))).RunAsync();
        Assert.Equal((new IsoWeek(2026, 2), new IsoWeek(2026, 6)), (run.From!.Value, run.To!.Value));

        await using var db = TriageDatabase.CreateContext(cs);
        var rows = await db.WeeklySnapshots.AsNoTracking().ToListAsync();
        var byPriority = (await db.FindingRisks.AsNoTracking().Select(r => r.Priority).ToListAsync()).CountBy(p => p).ToDictionary();
        var loaded = await db.FindingVerdicts.CountAsync(v => v.Verdict == ReachabilityVerdict.Loaded);
        Assert.Equal(5, loaded); // libc6, libssl1.1, zlib1g, libpcre3 and nginx, as the runtime test shows
        Assert.Equal(0, await db.FindingVerdicts.CountAsync(v => v.Verdict == ReachabilityVerdict.Reachable));
        Assert.All(await db.FindingRisks.AsNoTracking().Select(r => r.ComputedAt).ToListAsync(), t => Assert.Equal(At(1, 28), DateTime.SpecifyKind(t, DateTimeKind.Utc)));

        WeeklySnapshot Week(int week, SnapshotScope scope = SnapshotScope.Repository) =>
            Assert.Single(rows, r => r.Scope == scope && r.Year == 2026 && r.Week == week && (scope != SnapshotScope.Repository || r.ScopeName == Repository));
        static object Risk(WeeklySnapshot s) => (s.OpenAct, s.OpenAttend, s.OpenTrackStar, s.OpenTrack, s.OpenReachable, s.OpenLoaded, s.OpenKev, s.ImagesInProduction);
        int? Count(SsvcPriority p) => byPriority.GetValueOrDefault(p);

        Assert.All(rows, r => Assert.Equal(12, r.OpenHigh));
        // W02: nothing but the scan yet; CISA listed CVE-2099-1000 only on 01-13.
        Assert.Equal(((int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)0, (int?)null), Risk(Week(2)));
        // W03 and W04: the image runs in production and is KEV-listed; the priorities are those stored then, though every
        // score was computed again on 01-21 and 01-28 (ADR 108); no runtime evidence yet.
        Assert.Equal((scoredW03[0], scoredW03[1], scoredW03[2], scoredW03[3], (int?)null, (int?)null, (int?)1, (int?)1), Risk(Week(3)));
        Assert.Equal((scoredW04[0], scoredW04[1], scoredW04[2], scoredW04[3], (int?)null, (int?)null, (int?)1, (int?)1), Risk(Week(4)));
        // Being listed in KEV moved CVE-2099-1000's finding up on 01-21.
        Assert.NotEqual(scoredW03, scoredW04);
        // W05 and the week in progress: everything, as stored.
        var known = (Count(SsvcPriority.Act), Count(SsvcPriority.Attend), Count(SsvcPriority.TrackStar), Count(SsvcPriority.Track), (int?)0, (int?)loaded, (int?)1, (int?)1);
        Assert.Equal(known, Risk(Week(5)));
        Assert.Equal(known, Risk(Week(6)));
        Assert.Equal(Risk(Week(5)), Risk(Week(5, SnapshotScope.All)));
        Assert.Equal(12, Week(5).OpenAct + Week(5).OpenAttend + Week(5).OpenTrackStar + Week(5).OpenTrack);
        // The KEV-listed finding of an image running in production is the one to act on.
        Assert.True(Count(SsvcPriority.Act) >= 1);

        // The review shows unknown weeks as unknown: a dash in Markdown, an empty cell in CSV, null in JSON.
        var report = await WeeklyReportQueries.LoadAsync(db, ReportScope.All, 5, null, At(2, 4, 12), null);
        var md = new StringWriter();
        WeeklyReportExport.WriteMarkdown(md, report);
        Assert.Contains("| 2026-W02 | — | — | — | — | — | — | 0 | — |", md.ToString());
        Assert.Contains($"| 2026-W03 | {scoredW03[0]} | {scoredW03[1]} | {scoredW03[2]} | {scoredW03[3]} | — | — | 1 | 1 |", md.ToString());
        Assert.Contains($"| 2026-W05 | {Count(SsvcPriority.Act)} | {Count(SsvcPriority.Attend)} | {Count(SsvcPriority.TrackStar)} | {Count(SsvcPriority.Track)} | 0 | {loaded} | 1 | 1 |",
            md.ToString());
        var csv = new StringWriter();
        WeeklyReportExport.WriteCsv(csv, report);
        var lines = csv.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var column = Array.IndexOf(WeeklyReportExport.CsvColumns, "open_act");
        Assert.Equal(["", scoredW03[0].ToString(), scoredW04[0].ToString(), Count(SsvcPriority.Act).ToString(), Count(SsvcPriority.Act).ToString()],
            lines.Skip(1).Select(l => l.Split(',')[column]));
    }

    /// <summary>Open findings by stored priority now (act, attend, track*, track), as the week in progress would count them.</summary>
    private static async Task<int?[]> PrioritiesAsync(string cs)
    {
        await using var db = TriageDatabase.CreateContext(cs);
        var counts = (await db.FindingRisks.AsNoTracking().Select(r => r.Priority).ToListAsync()).CountBy(p => p).ToDictionary();
        return [counts.GetValueOrDefault(SsvcPriority.Act), counts.GetValueOrDefault(SsvcPriority.Attend), counts.GetValueOrDefault(SsvcPriority.TrackStar),
            counts.GetValueOrDefault(SsvcPriority.Track)];
    }
}
