using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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
/// The weekly priority and reachability columns read from the history of scores and verdicts (ADR 108), stored by the
/// product's services: the nginx-distroless scan of the runtime tests (12 findings, one per package), then
///   2026-01-05 10:00 (W02)  scan imported, not scored yet
///   2026-01-12 10:00 (W03)  pod list: the image runs in namespace prod (every finding scored)
///   2026-01-12 11:00 (W03)  partial file-access profile: nginx executed (its finding loaded, the others unknown)
///   2026-01-26 10:00 (W05)  KEV catalog: CISA added CVE-2099-1000 on 2026-01-20 (every finding scored again; its finding moves up)
///   2026-01-26 11:00 (W05)  another partial profile: libssl read (libssl1.1's finding loaded too)
///   now 2026-02-04 12:00 (W06, in progress)
/// </summary>
public sealed class ScoreHistoryTests
{
    private const string Image = $"{RuntimeVerdictTests.NginxImage}@{RuntimeVerdictTests.NginxDigest}";

    private static DateTime At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    private static readonly DateTime Now = At(2, 4, 12);

    private static readonly string PodList = $$$"""
        {"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"web-7db5dff8ff-abcde","namespace":"prod","labels":{"pod-template-hash":"7db5dff8ff"},
          "ownerReferences":[{"kind":"ReplicaSet","name":"web-7db5dff8ff","controller":true}]},
          "status":{"phase":"Running","containerStatuses":[{"name":"nginx","image":"{{{RuntimeVerdictTests.NginxImage}}}:1.13.5",
          "imageID":"docker-pullable://{{{Image}}}"}]}}]}
        """;

    private const string KevCatalog = """
        {"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.01.25","dateReleased":"2026-01-25T00:00:00Z","count":1,
         "vulnerabilities":[{"cveID":"CVE-2099-1000","vendorProject":"X","product":"Y","vulnerabilityName":"Z","dateAdded":"2026-01-20",
         "dueDate":"2026-02-10","knownRansomwareCampaignUse":"Unknown"}]}
        """;

    private static readonly string NginxExecuted = $$"""{"image":"{{Image}}","path":"/usr/sbin/nginx","op":"exec"}""";
    private static readonly string LibsslRead = $$"""{"image":"{{Image}}","path":"/usr/lib/x86_64-linux-gnu/libssl.so.1.1","op":"read","count":3}""";

    /// <summary>What is stored at one moment: each finding's priority and verdict (none: no evidence applied).</summary>
    private sealed record Stored(DateTime At, Dictionary<long, SsvcPriority> Priorities, Dictionary<long, ReachabilityVerdict> Verdicts)
    {
        public (int?, int?, int?, int?, int?, int?) Columns => (Count(SsvcPriority.Act), Count(SsvcPriority.Attend), Count(SsvcPriority.TrackStar),
            Count(SsvcPriority.Track), Verdicts.Values.Count(v => v == ReachabilityVerdict.Reachable), Verdicts.Values.Count(v => v == ReachabilityVerdict.Loaded));

        private int? Count(SsvcPriority p) => Priorities.Values.Count(x => x == p);
    }

    private static async Task<Stored> StoredAsync(string cs, DateTime at)
    {
        await using var db = TriageDatabase.CreateContext(cs);
        return new Stored(at, await db.FindingRisks.AsNoTracking().ToDictionaryAsync(r => r.FindingId, r => r.Priority),
            await db.FindingVerdicts.AsNoTracking().ToDictionaryAsync(v => v.FindingId, v => v.Verdict));
    }

    /// <summary>The history above, with what was stored after each step.</summary>
    private static async Task<(string Cs, List<Stored> Steps)> SeedAsync(string provider)
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

        var steps = new List<Stored>();
        var clock = new FixedClock(At(1, 12));
        var runtime = new RuntimeIngestService(cs, time: clock);
        var inventory = await runtime.IngestAsync(Bytes(PodList), "pods.json", new RuntimeIngestOptions { Cluster = "eu", ObservedAt = clock.Now });
        Assert.Equal(12, inventory.Refresh.FindingsScored);
        steps.Add(await StoredAsync(cs, clock.Now));

        clock.Now = At(1, 12, 11);
        Assert.Equal(12, (await runtime.IngestAsync(Bytes(NginxExecuted), "tetragon-1.jsonl", new RuntimeIngestOptions { Source = "tetragon" })).Refresh.FindingsJudged);
        steps.Add(await StoredAsync(cs, clock.Now));

        clock.Now = At(1, 26);
        Assert.Equal(1, (await new EnrichmentService(cs, time: clock).ImportAsync(Bytes(KevCatalog), "kev.json", new EnrichmentImportOptions())).Added);
        steps.Add(await StoredAsync(cs, clock.Now));

        clock.Now = At(1, 26, 11);
        await runtime.IngestAsync(Bytes(LibsslRead), "tetragon-2.jsonl", new RuntimeIngestOptions { Source = "tetragon" });
        steps.Add(await StoredAsync(cs, clock.Now));
        return (cs, steps);
    }

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static async Task<List<WeeklySnapshot>> SnapshotAsync(string cs, bool rebuild = false)
    {
        var run = await new MetricsSnapshotter(cs, SlaPolicy.Default, new FixedClock(Now)).RunAsync(rebuild);
        Assert.Null(run.Skipped);
        await using var db = TriageDatabase.CreateContext(cs);
        return await db.WeeklySnapshots.AsNoTracking().Where(r => r.Scope == SnapshotScope.Repository).OrderBy(r => r.Week).ToListAsync();
    }

    private static (int?, int?, int?, int?, int?, int?) Columns(WeeklySnapshot s) => (s.OpenAct, s.OpenAttend, s.OpenTrackStar, s.OpenTrack, s.OpenReachable, s.OpenLoaded);

    private static readonly (int?, int?, int?, int?, int?, int?) Unknown = (null, null, null, null, null, null);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RescoredAndJudgedAgain_EachWeekCountsWhatWasTrueAtItsEnd(string provider)
    {
        var (cs, steps) = await SeedAsync(provider);
        var (w03, w05) = (steps[1], steps[3]);
        var kevFinding = await FindingOfAsync(cs, "CVE-2099-1000");
        Assert.True(w05.Priorities[kevFinding] > w03.Priorities[kevFinding], $"{w03.Priorities[kevFinding]} then {w05.Priorities[kevFinding]}");
        Assert.Equal((0, 1), (w03.Columns.Item5, w03.Columns.Item6));   // nginx loaded
        Assert.Equal((0, 2), (w05.Columns.Item5, w05.Columns.Item6));   // and libssl1.1

        var rows = await SnapshotAsync(cs);
        Assert.Equal([2, 3, 4, 5, 6], rows.Select(r => r.Week));
        Assert.Equal(Unknown, Columns(rows[0]));                          // W02: before the first score and the first evidence
        Assert.Equal(w03.Columns, Columns(rows[1]));                      // W03: as stored at its end
        Assert.Equal(w03.Columns, Columns(rows[2]));                      // W04: nothing changed
        Assert.Equal(w05.Columns, Columns(rows[3]));                      // W05: rescored and judged again
        Assert.Equal(w05.Columns, Columns(rows[4]));                      // the week in progress: today's values
        Assert.False(rows[4].Complete);
        Assert.All(rows, r => Assert.Equal(12, r.OpenTotal));

        // A rebuild recomputes the complete weeks to the same values.
        Assert.Equal(rows.Select(Columns), (await SnapshotAsync(cs, rebuild: true)).Select(Columns));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ReplacedValuesOnly_AreKept_EachWithThePeriodItHeld(string provider)
    {
        var (cs, steps) = await SeedAsync(provider);

        // Expected: replaying the steps, a period for each value that changed from one step to the next.
        var expected = new List<(long, int?, int?, DateTime, DateTime)>();
        var prioritySince = steps[0].Priorities.ToDictionary(p => p.Key, _ => steps[0].At);
        var verdictSince = new Dictionary<long, DateTime>();
        for (var i = 1; i < steps.Count; i++)
        {
            var (before, after) = (steps[i - 1], steps[i]);
            foreach (var (id, p) in before.Priorities)
                if (after.Priorities[id] != p)
                {
                    expected.Add((id, (int)p, null, prioritySince[id], after.At));
                    prioritySince[id] = after.At;
                }
            foreach (var (id, v) in after.Verdicts)
                if (!before.Verdicts.TryGetValue(id, out var was)) verdictSince[id] = after.At;
                else if (was != v)
                {
                    expected.Add((id, null, (int)was, verdictSince[id], after.At));
                    verdictSince[id] = after.At;
                }
        }
        Assert.Contains(expected, e => e.Item3 == (int)ReachabilityVerdict.Unknown);  // libssl1.1: unknown, then loaded
        Assert.Contains(expected, e => e.Item2 is not null);                          // at least the KEV-listed finding

        await using var db = TriageDatabase.CreateContext(cs);
        var periods = (await db.FindingRiskPeriods.AsNoTracking().ToListAsync())
            .Select(p => (p.FindingId, (int?)p.Priority, (int?)p.Verdict, Utc(p.Since), Utc(p.Until))).ToList();
        Assert.Equal(expected.Order(), periods.Order());
        // Scored again with the same priority, judged again with the same verdict: each keeps the moment it took effect.
        foreach (var r in await db.FindingRisks.AsNoTracking().ToListAsync())
            Assert.Equal((prioritySince[r.FindingId], At(1, 26, 11)), (Utc(r.PrioritySince), Utc(r.ComputedAt)));
        foreach (var v in await db.FindingVerdicts.AsNoTracking().ToListAsync())
            Assert.Equal((verdictSince[v.FindingId], At(1, 26, 11)), (Utc(v.VerdictSince), Utc(v.ComputedAt)));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ValuesStoredBeforeTheHistory_LeaveTheWeeksBeforeThemUnknown(string provider)
    {
        var (cs, steps) = await SeedAsync(provider);
        // The database as it was before this history: back to the previous migration (only the latest values remain,
        // computed at 01-26 11:00), then up again, which keeps them from when they were computed.
        await using (var db = TriageDatabase.CreateContext(cs))
        {
            var ids = TriageDatabase.MigrationIds(db.Provider);
            var index = ids.ToList().FindIndex(id => id.EndsWith("_RiskPeriods", StringComparison.Ordinal));
            var migrator = db.GetService<IMigrator>();
            await migrator.MigrateAsync(ids[index - 1]);
            await migrator.MigrateAsync(ids[^1]);
            Assert.Empty(await db.FindingRiskPeriods.ToListAsync());
            Assert.All(await db.FindingRisks.AsNoTracking().ToListAsync(), r => Assert.Equal(At(1, 26, 11), Utc(r.PrioritySince)));
            var recorded = await db.AppSettings.AsNoTracking().SingleAsync(s => s.Key == RiskAsOf.VerdictsRecordedSinceKey);
            Assert.Equal(At(1, 26, 11), DateTime.Parse(recorded.Value, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal));
        }

        var rows = await SnapshotAsync(cs);
        // W03 and W04: scores and evidence existed, but what they said then was overwritten before Triage kept it: unknown,
        // never a count made of today's values or a zero.
        Assert.Equal([Unknown, Unknown, Unknown], rows.Take(3).Select(Columns));
        Assert.Equal(steps[3].Columns, Columns(rows[3]));
        Assert.Equal(steps[3].Columns, Columns(rows[4]));

        // From here on changes are recorded: another policy in the week in progress moves the KEV-listed finding down again,
        // and W05 keeps what it was then.
        await new FindingRiskService(cs, RankingPolicy.Default with { ActAt = 99, AttendAt = 95, KevMinimumPriority = SsvcPriority.Track },
            time: new FixedClock(At(2, 3))).RescoreAllAsync();
        var now = await StoredAsync(cs, At(2, 3));
        var kevFinding = await FindingOfAsync(cs, "CVE-2099-1000");
        Assert.True(now.Priorities[kevFinding] < steps[3].Priorities[kevFinding]);
        var after = await SnapshotAsync(cs, rebuild: true);
        Assert.Equal([Unknown, Unknown, Unknown, steps[3].Columns, now.Columns], after.Select(Columns));
    }

    private static async Task<long> FindingOfAsync(string cs, string vulnerability)
    {
        await using var db = TriageDatabase.CreateContext(cs);
        return await (from f in db.Findings join v in db.Vulnerabilities on f.GroupId equals v.GroupId where v.VulnId == vulnerability select f.Id).SingleAsync();
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
