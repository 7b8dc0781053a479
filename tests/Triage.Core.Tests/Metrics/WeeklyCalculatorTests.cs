using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;

namespace Triage.Core.Tests.Metrics;

/// <summary>
/// A constructed history, every number worked out by hand. Team 10 owns registry.example/app (debian) and
/// registry.example/app-distroless, which replaces it.
///   2026-01-05 10:00 (W02)  app d1: CVE-A critical openssl 1 (fixable), CVE-B high bash 5, CVE-C medium libc6 2.36
///   2026-01-12 10:00 (W03)  d1 rescanned: CVE-D low libc6 2.36 disclosed
///   2026-01-21 10:00 (W04)  app d2: openssl 3 (A fixed), no bash (B removed), libc6 2.36 (C, D), new zlib 1 with CVE-E high
///   2026-02-04 10:00 (W06)  app-distroless d3: libc6 2.36 with C only
///   2026-02-10 09:00 (W07)  CVE-C decided not_affected for the lineage
///   now 2026-02-11 12:00 (W07, in progress)
/// SLA days: critical 7, high 10, medium 20, low 180.
/// </summary>
public sealed class WeeklyCalculatorTests
{
    private static DateTime At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, DateTimeKind.Utc);

    private static readonly SlaPolicy Sla = new() { Critical = 7, High = 10, Medium = 20, Low = 180 };
    private static readonly DateTime Now = At(2, 11, 12);
    private static readonly DateTime DecidedAt = At(2, 10, 9);

    private static PackageName Deb(string name) => new("deb", null, name);

    private static MetricsHistory History(IReadOnlyList<OpenProblem>? ledger = null, bool withDecision = true, Risk? risk = null) => new()
    {
        Repositories = [new LineageRepository(1, "registry.example/app", 10, null), new LineageRepository(2, "registry.example/app-distroless", 10, 1)],
        TeamNames = new Dictionary<long, string> { [10] = "payments" },
        Digests =
        [
            new DigestHistory(100, 1, "sha256:d1", [At(1, 5), At(1, 12)], 4, 120_000_000,
                [Deb("openssl").At("1"), Deb("bash").At("5"), Deb("libc6").At("2.36"), Deb("coreutils").At("9")]),
            new DigestHistory(101, 1, "sha256:d2", [At(1, 21)], 3, 100_000_000, [Deb("openssl").At("3"), Deb("libc6").At("2.36"), Deb("zlib").At("1")]),
            new DigestHistory(200, 2, "sha256:d3", [At(2, 4)], 1, 20_000_000, [Deb("libc6").At("2.36")]),
        ],
        Findings = new FindingHistory[]
        {
            new(1, 100, 1, "CVE-A", Deb("openssl"), "1", Severity.Critical, true, At(1, 5), null),
            new(2, 100, 2, "CVE-B", Deb("bash"), "5", Severity.High, false, At(1, 5), null),
            new(3, 100, 3, "CVE-C", Deb("libc6"), "2.36", Severity.Medium, false, At(1, 5), null),
            new(4, 100, 4, "CVE-D", Deb("libc6"), "2.36", Severity.Low, false, At(1, 12), null),
            new(5, 101, 3, "CVE-C", Deb("libc6"), "2.36", Severity.Medium, false, At(1, 21), null),
            new(6, 101, 4, "CVE-D", Deb("libc6"), "2.36", Severity.Low, false, At(1, 21), null),
            new(7, 101, 5, "CVE-E", Deb("zlib"), "1", Severity.High, true, At(1, 21), null),
            new(8, 200, 3, "CVE-C", Deb("libc6"), "2.36", Severity.Medium, false, At(2, 4), null),
        }.Select(f => risk?.Apply(f) ?? f).ToList(),
        Ledger = ledger ?? [],
        Decisions = withDecision ? (f, asOf) => f.GroupId == 3 && asOf >= DecidedAt ? VexStatus.NotAffected : null : null,
        RunningInProduction = risk?.RunningInProduction,
        PrioritySince = risk?.PrioritySince,
        ReachabilitySince = risk?.ReachabilitySince,
        VerdictsRecordedSince = risk?.VerdictsRecordedSince ?? DateTime.MinValue,
        KevSince = risk?.KevSince,
        ProductionSince = risk?.ProductionSince,
    };

    /// <summary>
    /// Ranking, runtime and KEV data over the same history, each known from some moment:
    ///   scores stored from 2026-01-20 (W04): C and D on d2 track (from 01-21), E track from 01-21 and attend from 01-27 (W05,
    ///     after its KEV listing), C on d3 track (02-04);
    ///   runtime evidence from 2026-01-28 (W05): on d2, E reachable and C loaded (from 01-28); C on d3 loaded from 02-09 (W07);
    ///   KEV: CVE-A listed by CISA on 2026-01-06 (W02), CVE-E on 2026-01-26 (W05);
    ///   inventories from 2026-01-22 (W04): d2 in production 01-22 to 02-03 (or to now), d3 from 02-05.
    /// With <paramref name="Recorded"/> false the database holds only the latest values (stored before Triage recorded
    /// changes, ADR 108): E's track of 01-21 is gone, and verdicts count only from when they were computed.
    /// </summary>
    private sealed record Risk(bool D2StillInProduction = false, bool Recorded = true)
    {
        public DateTime? PrioritySince => At(1, 20);
        public DateTime? ReachabilitySince => At(1, 28);
        public DateTime? KevSince => DateTime.MinValue;
        public DateTime? ProductionSince => At(1, 22);
        public DateTime VerdictsRecordedSince => Recorded ? DateTime.MinValue : Now;

        public Func<DigestHistory, DateTime, bool> RunningInProduction => (d, t) => d.ArtifactId switch
        {
            101 => t >= At(1, 22) && (D2StillInProduction || t <= At(2, 3)),
            200 => t >= At(2, 5),
            _ => false,
        };

        public FindingHistory Apply(FindingHistory f) => f.FindingId switch
        {
            1 => f with { KevListedAt = At(1, 6, 0) },
            5 => f with { Priorities = [Since(SsvcPriority.Track, At(1, 21))], Verdicts = [Since(ReachabilityVerdict.Loaded, At(1, 28))] },
            6 => f with { Priorities = [Since(SsvcPriority.Track, At(1, 21))] },
            7 => f with
            {
                Priorities = Recorded
                    ? [new(SsvcPriority.Track, At(1, 21), At(1, 27)), Since(SsvcPriority.Attend, At(1, 27))]
                    : [Since(SsvcPriority.Attend, At(1, 27))],
                Verdicts = [Since(ReachabilityVerdict.Reachable, At(1, 28))], KevListedAt = At(1, 26, 0),
            },
            8 => f with { Priorities = [Since(SsvcPriority.Track, At(2, 4))], Verdicts = [Since(ReachabilityVerdict.Loaded, At(2, 9))] },
            _ => f,
        };

        private static Held<T> Since<T>(T value, DateTime since) where T : struct => new(value, since, null);
    }

    private static WeeklySnapshot Row(WeeklyComputation c, SnapshotScope scope, long id, int week) =>
        Assert.Single(c.Snapshots, s => s.Scope == scope && s.ScopeId == id && s.Year == 2026 && s.Week == week);

    [Fact]
    public void ConstructedHistory_OpenCountsSlaBreachesAndAttribution_PerWeek()
    {
        var c = new WeeklyCalculator(Sla).Compute(History(), new IsoWeek(2026, 2), Now);

        var w2 = Row(c, SnapshotScope.Repository, 1, 2);
        Assert.Equal((1, 1, 1, 0, 0), (w2.OpenCritical, w2.OpenHigh, w2.OpenMedium, w2.OpenLow, w2.OpenUnknown));
        Assert.Equal((1, 4, 120_000_000L), (w2.Images, w2.Packages, w2.SizeBytes!.Value));
        Assert.Equal(1, w2.OpenFixable);
        Assert.Equal(0, w2.SlaBreachesTotal); // CVE-A is 6.6 days old at the end of the week: within 7
        Assert.Equal((0, 3), (w2.OpenAtStart, w2.IntroducedByPackage));
        Assert.True(w2.Complete);
        Assert.Equal(new IsoWeek(2026, 2).LastInstant, w2.AsOf);

        var w3 = Row(c, SnapshotScope.Repository, 1, 3);
        Assert.Equal(4, w3.OpenTotal);
        Assert.Equal((1, 1, 0, 0), (w3.SlaCritical, w3.SlaHigh, w3.SlaMedium, w3.SlaLow)); // A and B 13.6 days old; C within 20
        Assert.Equal((3, 1), (w3.OpenAtStart, w3.NewlyDisclosed));

        // d2 supersedes d1: A fixed by the openssl upgrade, B removed with bash, E introduced with zlib.
        var w4 = Row(c, SnapshotScope.Repository, 1, 4);
        Assert.Equal(3, w4.OpenTotal);
        Assert.Equal((4, 1, 1, 1), (w4.OpenAtStart, w4.FixedByUpgrade, w4.RemovedWithPackage, w4.IntroducedByPackage));
        Assert.True(w4.WeekChange.AddsUp);
        Assert.Equal((1, 16.0), (w4.RemediatedCritical, w4.MttrDays(Severity.Critical)!.Value));
        Assert.Equal((1, 16.0), (w4.RemediatedHigh, w4.MttrDays(Severity.High)!.Value));
        Assert.Equal((0, 0, 1, 0), (w4.SlaCritical, w4.SlaHigh, w4.SlaMedium, w4.SlaLow)); // C 20.6 days old (> 20); E 4.6 (< 10)

        var w5 = Row(c, SnapshotScope.Repository, 1, 5);
        Assert.Equal((3, 3), (w5.OpenAtStart, w5.OpenTotal));
        Assert.Equal((0, 1, 1, 0), (w5.SlaCritical, w5.SlaHigh, w5.SlaMedium, w5.SlaLow)); // E now 11.6 days old

        // The switch to distroless: app's row loses its image; D and E are remediated there; C carries over with its age.
        var app6 = Row(c, SnapshotScope.Repository, 1, 6);
        Assert.Equal((0, 0, 3, 3), (app6.Images, app6.OpenTotal, app6.OpenAtStart, app6.RemovedWithPackage));
        Assert.Equal((1, 23.0), (app6.RemediatedLow, app6.MttrDays(Severity.Low)!.Value));
        Assert.Equal((1, 14.0), (app6.RemediatedHigh, app6.MttrDays(Severity.High)!.Value));
        var slim6 = Row(c, SnapshotScope.Repository, 2, 6);
        Assert.Equal((1, 1, 1, 20_000_000L), (slim6.Images, slim6.Packages, slim6.OpenMedium, slim6.SizeBytes!.Value));
        Assert.Equal(1, slim6.SlaMedium); // opened 2026-01-05 on the debian image, not 2026-02-04
        Assert.Equal((0, 1), (slim6.OpenAtStart, slim6.IntroducedByPackage));
        Assert.Equal(10L, slim6.TeamId);

        // The team sees the lineage as a whole: E removed with zlib, D withdrawn (libc6 2.36 is still there), C unchanged.
        var team6 = Row(c, SnapshotScope.Team, 10, 6);
        Assert.Equal("payments", team6.ScopeName);
        Assert.Equal((3, 1), (team6.OpenAtStart, team6.OpenTotal));
        Assert.Equal((1, 0, 0, -1, 0, 1), (team6.RemovedWithPackage, team6.FixedByUpgrade, team6.SuppressedByDecision, team6.NewlyDisclosed,
            team6.IntroducedByPackage, team6.Withdrawn));
        Assert.True(team6.WeekChange.AddsUp);
        Assert.Equal((1, 1), (team6.RemediatedLow, team6.RemediatedHigh));
        Assert.Equal(1, team6.Images);
        var all6 = Row(c, SnapshotScope.All, 0, 6);
        Assert.Equal(team6.WeekChange, all6.WeekChange);

        // The week in progress: the not_affected decision suppresses C.
        var slim7 = Row(c, SnapshotScope.Repository, 2, 7);
        Assert.False(slim7.Complete);
        Assert.Equal(Now, slim7.AsOf);
        Assert.Equal((0, 1, 1, 1), (slim7.OpenTotal, slim7.ActiveFindings, slim7.Decided, slim7.NotAffected));
        Assert.Equal((1, 1), (slim7.OpenAtStart, slim7.SuppressedByDecision));
        Assert.Equal(0, slim7.SlaBreachesTotal); // suppressed findings are not open, so not in breach
        Assert.Equal(1.0, slim7.ShareNotAffected);
        Assert.DoesNotContain(c.Snapshots, s => s.Scope == SnapshotScope.Repository && s.ScopeId == 1 && s.Week == 7);

        // Columns for data Triage does not hold yet are null, not zero.
        Assert.All(c.Snapshots, s => Assert.True(s.OpenAct is null && s.OpenReachable is null && s.OpenKev is null && s.ImagesInProduction is null));
        Assert.All(c.Snapshots, s => Assert.True(s.WeekChange.AddsUp, $"{s.Scope} {s.ScopeId} {s.IsoWeek}"));
        Assert.DoesNotContain(c.Snapshots, s => s.Scope == SnapshotScope.Unowned);

        // The ledger at the start of the week in progress: C, open since the debian image, now in the distroless repository.
        Assert.Equal(new IsoWeek(2026, 7), c.LedgerWeek);
        var open = Assert.Single(c.Ledger);
        Assert.Equal((2L, 3L, At(1, 5), Severity.Medium), (open.RepositoryId, open.GroupId, open.OpenedAt, open.Severity));
    }

    [Fact]
    public void TwoRunsWithTheLedger_GiveTheSameWeeksAsOneRun()
    {
        var calculator = new WeeklyCalculator(Sla);
        var whole = calculator.Compute(History(), new IsoWeek(2026, 2), Now);

        var firstNow = At(2, 1, 12); // Sunday of W05
        var first = calculator.Compute(History(), new IsoWeek(2026, 2), firstNow);
        Assert.Equal(new IsoWeek(2026, 5), first.LedgerWeek);
        var second = calculator.Compute(History(first.Ledger), first.LedgerWeek, Now);

        foreach (var row in second.Snapshots)
        {
            var same = Assert.Single(whole.Snapshots, s => s.Scope == row.Scope && s.ScopeId == row.ScopeId && s.IsoWeek == row.IsoWeek);
            Assert.Equivalent(Values(same), Values(row));
        }
        Assert.Equal(whole.Snapshots.Count(s => s.IsoWeek >= new IsoWeek(2026, 5)), second.Snapshots.Count);
        Assert.Equivalent(whole.Ledger, second.Ledger);
    }

    [Fact]
    public void WithoutTheLedger_AProblemOpenBeforeTheFirstWeek_IsAgedFromItsEarliestFinding()
    {
        // Starting at W06 with no ledger: C is present on d2 at the start, whose finding of it is from 2026-01-21 (the d1
        // finding of 2026-01-05 is on an image no longer current, so it is not read).
        var c = new WeeklyCalculator(Sla).Compute(History(withDecision: false), new IsoWeek(2026, 6), Now);
        var slim6 = Row(c, SnapshotScope.Repository, 2, 6);
        Assert.Equal(0, slim6.SlaMedium); // 18.6 days old at the end of W06: within 20
        Assert.Equal(At(1, 21), Assert.Single(c.Ledger).OpenedAt);
    }

    [Fact]
    public void RiskColumns_CountTheValuesInForceAtEachWeeksEnd_NullBeforeTheirDataExisted()
    {
        var c = new WeeklyCalculator(Sla).Compute(History(risk: new Risk()), new IsoWeek(2026, 2), Now);

        // W02, W03: no score, no evidence, no inventory yet; the KEV catalog's own dates say CVE-A was listed on 01-06.
        Assert.Equal(((int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)1, (int?)null), RiskOf(Row(c, SnapshotScope.Repository, 1, 2)));
        Assert.Equal(((int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)1, (int?)null), RiskOf(Row(c, SnapshotScope.Repository, 1, 3)));
        // W04: C, D and E track (E moved to attend only in W05); no evidence yet; d2 runs in production; A is fixed and E
        // not listed before 01-26.
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)3, (int?)null, (int?)null, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 1, 4)));
        // W05: C and D track, E attend; E reachable, C loaded, D without evidence; E listed.
        Assert.Equal(((int?)0, (int?)1, (int?)0, (int?)2, (int?)1, (int?)1, (int?)1, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 1, 5)));
        // W06: app has no image left (zeros, known); on d3, C has no verdict before 02-09: no evidence applied, so known.
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)0), RiskOf(Row(c, SnapshotScope.Repository, 1, 6)));
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)1, (int?)0, (int?)0, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 2, 6)));
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)1, (int?)0, (int?)0, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Team, 10, 6)));
        Assert.Equal(RiskOf(Row(c, SnapshotScope.Team, 10, 6)), RiskOf(Row(c, SnapshotScope.All, 0, 6)));
        // W07 (in progress): C is not_affected, so nothing open is counted; d3 runs in production.
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 2, 7)));

        // The data changes nothing else.
        var without = new WeeklyCalculator(Sla).Compute(History(), new IsoWeek(2026, 2), Now);
        foreach (var row in c.Snapshots)
            Assert.Equivalent(Values(Assert.Single(without.Snapshots, s => s.Scope == row.Scope && s.ScopeId == row.ScopeId && s.IsoWeek == row.IsoWeek)), Values(row));
    }

    [Fact]
    public void RiskColumns_StoredBeforeChangesWereRecorded_AreNullWhileAnOpenFindingWasScoredOnlyLater()
    {
        var c = new WeeklyCalculator(Sla).Compute(History(risk: new Risk(Recorded: false)), new IsoWeek(2026, 2), Now);

        // W04: E's priority then was replaced before Triage kept replaced values: no partial count.
        Assert.Equal(((int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)null, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 1, 4)));
        Assert.Equal(((int?)0, (int?)1, (int?)0, (int?)2, (int?)1, (int?)1, (int?)1, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 1, 5)));
        // W06: C's verdict on d3 was computed only in W07, and it may have replaced one: the distroless row and the team's
        // sum do not know reachability.
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)1, (int?)null, (int?)null, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Repository, 2, 6)));
        Assert.Equal(((int?)0, (int?)0, (int?)0, (int?)1, (int?)null, (int?)null, (int?)0, (int?)1), RiskOf(Row(c, SnapshotScope.Team, 10, 6)));
    }

    [Fact]
    public void FindingHistory_ValueAsOf_ReadsTheRecordedPeriods()
    {
        var f = new FindingHistory(1, 100, 1, "CVE-A", Deb("openssl"), "1", Severity.High, true, At(1, 5), null)
        {
            Priorities = [new(SsvcPriority.Act, At(1, 5), At(1, 19)), new(SsvcPriority.Track, At(1, 19), null)],
            Verdicts = [new(ReachabilityVerdict.Loaded, At(1, 7), At(1, 14)), new(ReachabilityVerdict.Reachable, At(1, 21), null)],
        };
        Assert.Null(f.PriorityAsOf(At(1, 5).AddTicks(-1)));                 // not scored yet
        Assert.Equal(SsvcPriority.Act, f.PriorityAsOf(At(1, 18)));
        Assert.Equal(SsvcPriority.Track, f.PriorityAsOf(At(1, 19)));         // a period ends where the next begins
        Assert.Equal(SsvcPriority.Track, f.PriorityAsOf(At(3, 1)));

        // Recorded from the start: a moment no verdict covers had none.
        Assert.True(f.VerdictAsOf(At(1, 6), DateTime.MinValue, out var v) && v is null);
        Assert.True(f.VerdictAsOf(At(1, 10), DateTime.MinValue, out v) && v == ReachabilityVerdict.Loaded);
        Assert.True(f.VerdictAsOf(At(1, 16), DateTime.MinValue, out v) && v is null); // withdrawn with its evidence
        Assert.True(f.VerdictAsOf(At(1, 22), DateTime.MinValue, out v) && v == ReachabilityVerdict.Reachable);
        // Recorded only from 01-15: before it, a verdict computed later hides what was there.
        Assert.False(f.VerdictAsOf(At(1, 6), At(1, 15), out _));
        Assert.True(f.VerdictAsOf(At(1, 10), At(1, 15), out v) && v == ReachabilityVerdict.Loaded);
        Assert.True(f.VerdictAsOf(At(1, 16), At(1, 15), out v) && v is null);
    }

    private static object RiskOf(WeeklySnapshot s) => (s.OpenAct, s.OpenAttend, s.OpenTrackStar, s.OpenTrack, s.OpenReachable, s.OpenLoaded, s.OpenKev, s.ImagesInProduction);

    [Fact]
    public void ImageStillInProduction_StaysCurrent_InTheWeeklyCounts()
    {
        // d2 keeps running after the switch to distroless: its findings stay open in app's row, and the ledger keeps D and E.
        var c = new WeeklyCalculator(Sla).Compute(History(withDecision: false, risk: new Risk(D2StillInProduction: true)), new IsoWeek(2026, 2), Now);
        var app6 = Row(c, SnapshotScope.Repository, 1, 6);
        Assert.Equal((1, 1, 3), (app6.Images, app6.ImagesInProduction!.Value, app6.OpenTotal));
        Assert.Equal(2, Row(c, SnapshotScope.Team, 10, 6).ImagesInProduction);
        Assert.All(c.Snapshots, s => Assert.True(s.WeekChange.AddsUp, $"{s.Scope} {s.ScopeId} {s.IsoWeek}"));
    }

    private static object Values(WeeklySnapshot s) => new
    {
        s.OpenCritical, s.OpenHigh, s.OpenMedium, s.OpenLow, s.OpenUnknown, s.ActiveFindings, s.Images, s.Packages, s.SizeBytes, s.Decided, s.NotAffected,
        s.SlaCritical, s.SlaHigh, s.SlaMedium, s.SlaLow, s.SlaUnknown, s.RemediatedCritical, s.RemediatedHigh, s.RemediatedMedium, s.RemediatedLow,
        s.RemediationDaysCritical, s.RemediationDaysHigh, s.RemediationDaysMedium, s.RemediationDaysLow, s.OpenAtStart, s.RemovedWithPackage,
        s.FixedByUpgrade, s.SuppressedByDecision, s.NewlyDisclosed, s.IntroducedByPackage, s.Withdrawn, s.DecisionsLifted, s.Complete, s.AsOf,
    };
}
