using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Data.Metrics;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Metrics;

/// <summary>
/// MTTR and SLA arithmetic on a constructed history, written through the real import path and moved to chosen dates
/// (the same history as the core calculator test, every number worked out by hand):
///   2026-01-05 10:00 (W02)  app:1 d1: CVE-A critical openssl 1 (fixable), CVE-B high bash 5, CVE-C medium libc6 2.36
///   2026-01-12 10:00 (W03)  d1 rescanned: CVE-D low libc6 2.36 disclosed
///   2026-01-21 10:00 (W04)  app:2 d2: openssl 3 (A fixed), no bash (B removed), libc6 (C, D), new zlib 1 with CVE-E high
///   2026-02-04 10:00 (W06)  app-distroless:1 d3, which replaces app: libc6 2.36 with C only
/// SLA days: critical 7, high 10, medium 20, low 180. Team "payments" owns both repositories.
/// </summary>
public sealed class WeeklySnapshotTests
{
    private const string App = "registry.example/app";
    private const string Slim = "registry.example/app-distroless";
    private static readonly SlaPolicy Sla = new() { Critical = 7, High = 10, Medium = 20, Low = 180 };

    private static DateTime At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    private static async Task<string> SeedAsync(string provider)
    {
        var cs = TestDatabases.New(provider);
        var h = new HistoryWriter(cs);
        (string, string)[] d1Packages = [("openssl", "1"), ("bash", "5"), ("libc6", "2.36"), ("coreutils", "9")];
        await h.ScanAsync(At(1, 5), HistoryWriter.Image(App + ":1", HistoryWriter.Digest("d1"), d1Packages,
            [("CVE-2026-0001", "openssl", Severity.Critical, "3"), ("CVE-2026-0002", "bash", Severity.High, null), ("CVE-2026-0003", "libc6", Severity.Medium, null)],
            120_000_000));
        await h.ScanAsync(At(1, 12), HistoryWriter.Image(App + ":1", HistoryWriter.Digest("d1"), d1Packages,
            [("CVE-2026-0001", "openssl", Severity.Critical, "3"), ("CVE-2026-0002", "bash", Severity.High, null), ("CVE-2026-0003", "libc6", Severity.Medium, null),
             ("CVE-2026-0004", "libc6", Severity.Low, null)], 120_000_000));
        await h.ScanAsync(At(1, 21), HistoryWriter.Image(App + ":2", HistoryWriter.Digest("d2"), [("openssl", "3"), ("libc6", "2.36"), ("zlib", "1")],
            [("CVE-2026-0003", "libc6", Severity.Medium, null), ("CVE-2026-0004", "libc6", Severity.Low, null), ("CVE-2026-0005", "zlib", Severity.High, "2")],
            100_000_000));
        await h.ScanAsync(At(2, 4), HistoryWriter.Image(Slim + ":1", HistoryWriter.Digest("d3"), [("libc6", "2.36")],
            [("CVE-2026-0003", "libc6", Severity.Medium, null)], 20_000_000, os: "debian", osVersion: "12 (distroless)"));

        await using var db = TriageDatabase.CreateContext(cs);
        var team = new Team { Name = "payments", CreatedAt = At(1, 1) };
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        await db.Repositories.ExecuteUpdateAsync(u => u.SetProperty(r => r.TeamId, team.Id));
        await LineageService.ReplaceAsync(db, App, Slim);
        return cs;
    }

    private static async Task<List<WeeklySnapshot>> RowsAsync(string cs)
    {
        await using var db = TriageDatabase.CreateContext(cs);
        return await db.WeeklySnapshots.AsNoTracking().ToListAsync();
    }

    private static WeeklySnapshot Repo(List<WeeklySnapshot> rows, string name, int week) =>
        Assert.Single(rows, r => r.Scope == SnapshotScope.Repository && r.ScopeName == name && r.Year == 2026 && r.Week == week);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ConstructedHistory_MttrAndSlaArithmetic(string provider)
    {
        var cs = await SeedAsync(provider);
        var run = await new MetricsSnapshotter(cs, Sla, new FixedClock(At(2, 11, 12))).RunAsync();
        Assert.Null(run.Skipped);
        Assert.Equal((new IsoWeek(2026, 2), new IsoWeek(2026, 7), 6), (run.From!.Value, run.To!.Value, run.Weeks));
        var rows = await RowsAsync(cs);
        Assert.All(rows, r => Assert.True(r.WeekChange.AddsUp));

        var w2 = Repo(rows, App, 2);
        Assert.Equal((1, 1, 1, 0), (w2.OpenCritical, w2.OpenHigh, w2.OpenMedium, w2.OpenLow));
        Assert.Equal((1, 4, 120_000_000L, 1), (w2.Images, w2.Packages, w2.SizeBytes!.Value, w2.OpenFixable));
        Assert.Equal(0, w2.SlaBreachesTotal);

        var w3 = Repo(rows, App, 3);
        Assert.Equal((4, 1, 1, 0), (w3.OpenTotal, w3.SlaCritical, w3.SlaHigh, w3.SlaMedium));
        Assert.Equal(1, w3.NewlyDisclosed);

        var w4 = Repo(rows, App, 4);
        Assert.Equal((4, 3, 1, 1, 1), (w4.OpenAtStart, w4.OpenTotal, w4.FixedByUpgrade, w4.RemovedWithPackage, w4.IntroducedByPackage));
        Assert.Equal((1, 16.0, 1, 16.0), (w4.RemediatedCritical, w4.MttrDays(Severity.Critical)!.Value, w4.RemediatedHigh, w4.MttrDays(Severity.High)!.Value));
        Assert.Equal((0, 0, 1), (w4.SlaCritical, w4.SlaHigh, w4.SlaMedium));

        var w5 = Repo(rows, App, 5);
        Assert.Equal((0, 1, 1, 0), (w5.SlaCritical, w5.SlaHigh, w5.SlaMedium, w5.SlaLow));

        var app6 = Repo(rows, App, 6);
        Assert.Equal((0, 3, 3), (app6.OpenTotal, app6.OpenAtStart, app6.RemovedWithPackage));
        Assert.Equal((1, 23.0, 1, 14.0), (app6.RemediatedLow, app6.MttrDays(Severity.Low)!.Value, app6.RemediatedHigh, app6.MttrDays(Severity.High)!.Value));
        var slim6 = Repo(rows, Slim, 6);
        Assert.Equal((1, 1, 1), (slim6.OpenMedium, slim6.SlaMedium, slim6.IntroducedByPackage));

        var team6 = Assert.Single(rows, r => r.Scope == SnapshotScope.Team && r.Week == 6);
        Assert.Equal("payments", team6.ScopeName);
        Assert.Equal((3, 1, 1, -1, 1), (team6.OpenAtStart, team6.OpenTotal, team6.RemovedWithPackage, team6.NewlyDisclosed, team6.Withdrawn));
        Assert.Equal((1, 1), (team6.RemediatedLow, team6.RemediatedHigh));
        // MTTR of a team over several weeks is a sum of days over a sum of problems, never a mean of means.
        var teamRows = rows.Where(r => r.Scope == SnapshotScope.Team).ToList();
        Assert.Equal(2, teamRows.Sum(r => r.RemediatedHigh));
        Assert.Equal(15.0, teamRows.Sum(r => r.RemediationDaysHigh) / teamRows.Sum(r => r.RemediatedHigh));

        var slim7 = Repo(rows, Slim, 7);
        Assert.False(slim7.Complete);
        Assert.Equal(At(2, 11, 12), slim7.AsOf);
        Assert.True(Repo(rows, Slim, 6).Complete);
        Assert.All(rows, r => Assert.Null(r.OpenKev));
        TestDatabases.ClearPools();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task IncrementalRuns_KeepCompleteWeeks_AndSurviveThePurgeOfRawData(string provider)
    {
        var cs = await SeedAsync(provider);
        var clock = new FixedClock(At(2, 1, 12));
        var snapshotter = new MetricsSnapshotter(cs, Sla, clock);
        Assert.Equal(new IsoWeek(2026, 2), (await snapshotter.RunAsync()).From);
        var first = await RowsAsync(cs);

        clock.Now = At(2, 11, 12);
        var second = await snapshotter.RunAsync();
        Assert.Equal((new IsoWeek(2026, 5), 3), (second.From!.Value, second.Weeks)); // W05 was in progress: recomputed with W06, W07
        var rows = await RowsAsync(cs);
        foreach (var old in first.Where(r => r.Week < 5))
        {
            var kept = Assert.Single(rows, r => r.Scope == old.Scope && r.ScopeId == old.ScopeId && r.Week == old.Week);
            Assert.Equal((old.Id, old.ComputedAt), (kept.Id, kept.ComputedAt));
        }
        // The same numbers as computing all weeks at once.
        var w5 = Repo(rows, App, 5);
        Assert.Equal((true, 3, 1, 1), (w5.Complete, w5.OpenTotal, w5.SlaHigh, w5.SlaMedium));
        Assert.Equal((1, 23.0), (Repo(rows, App, 6).RemediatedLow, Repo(rows, App, 6).RemediationDaysLow));

        // Purge: the debian repository with its images, scans, findings and observations, and every raw report's bytes.
        await using (var db = TriageDatabase.CreateContext(cs))
        {
            await db.Repositories.Where(r => r.Name == App).ExecuteDeleteAsync();
            await db.RawReports.ExecuteUpdateAsync(u => u.SetProperty(r => r.Content, (byte[]?)null).SetProperty(r => r.ContentEncoding, "purged"));
            Assert.Equal(1, await db.Artifacts.CountAsync());
            Assert.Equal(1, await db.Findings.CountAsync());
        }
        clock.Now = At(2, 18, 12); // W08
        var third = await snapshotter.RunAsync();
        Assert.Null(third.Skipped);
        var after = await RowsAsync(cs);
        foreach (var old in rows.Where(r => r.Complete))
        {
            var kept = Assert.Single(after, r => r.Scope == old.Scope && r.ScopeId == old.ScopeId && r.Week == old.Week);
            Assert.Equal((old.OpenTotal, old.RemediatedHigh, old.SlaBreachesTotal, old.ScopeName), (kept.OpenTotal, kept.RemediatedHigh, kept.SlaBreachesTotal, kept.ScopeName));
        }
        // The ledger kept CVE-C's age: on W08 it is still out of SLA since 2026-01-05, though the images that showed it first are gone.
        var slim8 = Repo(after, Slim, 8);
        Assert.Equal((1, 1, 1), (slim8.Images, slim8.OpenMedium, slim8.SlaMedium));
        await using (var db = TriageDatabase.CreateContext(cs))
            Assert.Equal(At(1, 5), MetricsHistoryLoader.Utc((await db.MetricsProblems.SingleAsync()).OpenedAt));
        TestDatabases.ClearPools();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rebuild_RecomputesFromTheFirstScan_AndAStaleRunWritesNothing(string provider)
    {
        var cs = await SeedAsync(provider);
        var clock = new FixedClock(At(2, 11, 12));
        await new MetricsSnapshotter(cs, Sla, clock).RunAsync();
        var before = await RowsAsync(cs);

        // Withdrawing the replacement and rebuilding: the distroless image is its own lineage, so C opens anew there, and
        // nothing supersedes app:2 any more, which keeps counting.
        await using (var db = TriageDatabase.CreateContext(cs)) await LineageService.UnlinkAsync(db, Slim);
        var rebuilt = await new MetricsSnapshotter(cs, Sla, clock).RunAsync(rebuild: true);
        Assert.Equal(new IsoWeek(2026, 2), rebuilt.From);
        var rows = await RowsAsync(cs);
        Assert.Equal(1, Repo(before, Slim, 6).SlaMedium);
        Assert.Equal(0, Repo(rows, Slim, 6).SlaMedium); // opened 2026-02-04 on its own
        Assert.Equal((3, 0), (Repo(rows, App, 6).OpenTotal, Repo(rows, App, 6).RemediatedHigh));
        var team6 = Assert.Single(rows, r => r.Scope == SnapshotScope.Team && r.Week == 6);
        Assert.Equal((3, 4, 0, 1), (team6.OpenAtStart, team6.OpenTotal, team6.RemovedWithPackage, team6.IntroducedByPackage));

        // A run that read an older state finds it moved at write time and writes nothing.
        await using (var db = TriageDatabase.CreateContext(cs))
        {
            Assert.Equal(2, (await db.MetricsStates.SingleAsync()).Version);
            var empty = new WeeklyComputation([], new IsoWeek(2026, 7), []);
            Assert.False(await MetricsSnapshotter.WriteAsync(cs, 1, new IsoWeek(2026, 2), At(2, 11, 12), empty, default));
        }
        Assert.Equal(rows.Count, (await RowsAsync(cs)).Count);
        TestDatabases.ClearPools();
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ADecision_SuppressesFromWhenItWasRecorded_InSnapshotsComparisonsAndDates_AndIsListedBeforeItExpires(string provider)
    {
        var cs = await SeedAsync(provider);
        var decisions = new Triage.Data.Vex.DecisionService(cs, new FixedClock(At(2, 10, 9)));
        await decisions.RecordAsync(new Triage.Data.Vex.DecisionRequest
        {
            Vulnerability = "CVE-2026-0003",
            Target = new Triage.Data.Vex.DecisionTarget.Repository(Slim),
            Status = Core.Vex.VexStatus.NotAffected,
            Justification = Core.Vex.VexJustification.VulnerableCodeNotInExecutePath,
            Author = "alice",
            ExpiresAt = new DateTimeOffset(At(2, 20)),
        });
        var now = At(2, 11, 12);
        await new MetricsSnapshotter(cs, Sla, new FixedClock(now)).RunAsync();
        var rows = await RowsAsync(cs);
        var slim6 = Repo(rows, Slim, 6);
        Assert.Equal((1, 0, 0), (slim6.OpenMedium, slim6.Decided, slim6.SuppressedByDecision)); // recorded after W06
        var slim7 = Repo(rows, Slim, 7);
        Assert.Equal((0, 1, 1, 1), (slim7.OpenTotal, slim7.ActiveFindings, slim7.NotAffected, slim7.SuppressedByDecision));
        Assert.Equal((1.0, 0), (slim7.ShareNotAffected!.Value, slim7.SlaBreachesTotal));

        await using var db = TriageDatabase.CreateContext(cs);
        var lookup = await DecisionsAsOf.LoadAsync(db);
        var app2 = await CompareQueries.ResolveImageAsync(db, App + ":2");
        var slim = await CompareQueries.ResolveImageAsync(db, Slim);
        var comparison = await CompareQueries.ImagesAsync(db, app2!.Value, slim!.Value, now, lookup);
        var c = comparison.Counts;
        Assert.Equal((3, 0, 1, 1, -1), (c.Before, c.After, c.RemovedWithPackage, c.SuppressedByDecision, c.NewlyDisclosed)); // D withdrawn: libc6 2.36 stays
        Assert.True(c.AddsUp);

        var slimId = (await LineageQueries.FindRepositoryAsync(db, Slim))!.Value.Id;
        var dates = await CompareQueries.DatesAsync(db, slimId, At(2, 9), now, lookup);
        Assert.Equal((1, 0, 1), (dates.Counts.Before, dates.Counts.After, dates.Counts.SuppressedByDecision));
        Assert.Equal("registry.example/app-distroless:1", Assert.Single(dates.After.Images).DisplayName);

        var report = await WeeklyReportQueries.LoadAsync(db, ReportScope.All, 8, null, now, lookup);
        var expiring = Assert.Single(report.ExpiringDecisions);
        Assert.Equal(("CVE-2026-0003", "not_affected", "repository " + Slim), (expiring.Vulnerability, expiring.Status, expiring.Scope));
        var otherTeam = await WeeklyReportQueries.LoadAsync(db, ReportScope.Visible([999]), 8, null, now, lookup);
        Assert.Empty(otherTeam.ExpiringDecisions);
        Assert.Equal(1, report.Selected!.NotAffected);
        var win = Assert.Single(report.SlimmingWins);
        Assert.Equal((App, Slim, 100_000_000L - 20_000_000L), (win.From, win.To, win.SizeSaved!.Value));
        TestDatabases.ClearPools();
    }
}
