using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// Each path that writes scores and verdicts keeps the replaced ones with their periods (ADR 108), and only those: the
/// import scoring in its transaction, a rescan, runtime evidence, a full refresh and a decision's rescoring, on the
/// nginx-distroless scan (12 findings).
/// </summary>
public sealed class RiskPeriodTests
{
    private static DateTime At(int day) => new(2026, 1, day, 10, 0, 0, DateTimeKind.Utc);

    private static async Task<(Dictionary<long, (SsvcPriority Priority, DateTime Since, DateTime Computed)> Scores, Dictionary<long, DateTime> VerdictSince,
        List<FindingRiskPeriod> Periods)> StoredAsync(RuntimeWorld w)
    {
        await using var db = w.Db();
        return (await db.FindingRisks.AsNoTracking().ToDictionaryAsync(r => r.FindingId, r => (r.Priority, Utc(r.PrioritySince), Utc(r.ComputedAt))),
            await db.FindingVerdicts.AsNoTracking().ToDictionaryAsync(v => v.FindingId, v => Utc(v.VerdictSince)),
            await db.FindingRiskPeriods.AsNoTracking().OrderBy(p => p.Id).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task OnlyChangedValues_LeaveAPeriod_AndUnchangedOnesKeepWhenTheyTookEffect(string provider)
    {
        var clock = new FixedClock(At(5));
        var w = new RuntimeWorld(provider, time: clock);

        // A new image, scored in the import's transaction: nothing was replaced.
        Assert.True((await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "scan-1.json")).RiskScored);
        var first = await StoredAsync(w);
        Assert.Equal(12, first.Scores.Count);
        Assert.All(first.Scores.Values, s => Assert.Equal((At(5), At(5)), (s.Since, s.Computed)));
        Assert.Empty(first.Periods);

        // A rescan of the same image: every finding scored again, none moved.
        clock.Now = At(12);
        var rescan = RuntimeVerdictTests.NginxScan();
        rescan["CreatedAt"] = "2026-01-12T10:00:00Z";
        var again = await w.ImportJsonAsync(rescan, "scan-2.json");
        Assert.True(again is { RiskScored: true, Duplicate: false });
        var second = await StoredAsync(w);
        Assert.All(second.Scores, s => Assert.Equal((first.Scores[s.Key].Priority, At(5), At(12)), s.Value));
        Assert.Empty(second.Periods);

        // Evidence: every finding gets its first verdict (no period), and a finding whose priority moved leaves one.
        clock.Now = At(19);
        await w.IngestTextAsync(
            $$$"""{"profile":{"image":"{{{RuntimeVerdictTests.NginxImage}}}@{{{RuntimeVerdictTests.NginxDigest}}}","complete":true,"source":"strace"}}""" + "\n" +
            $$"""{"image":"{{RuntimeVerdictTests.NginxImage}}@{{RuntimeVerdictTests.NginxDigest}}","path":"/usr/sbin/nginx","op":"exec"}""",
            "strace.jsonl");
        var third = await StoredAsync(w);
        Assert.Equal(12, third.VerdictSince.Count);
        Assert.All(third.VerdictSince.Values, since => Assert.Equal(At(19), since));
        var moved = third.Scores.Where(s => s.Value.Priority != second.Scores[s.Key].Priority).Select(s => s.Key).ToList();
        Assert.NotEmpty(moved);  // a complete profile lowers what was never used
        Assert.Equal(moved.Select(id => (id, (SsvcPriority?)second.Scores[id].Priority, At(5), At(19))).Order(),
            third.Periods.Select(p => (p.FindingId, p.Priority, Utc(p.Since), Utc(p.Until))).Order());
        Assert.All(third.Periods, p => Assert.Null(p.Verdict));
        Assert.All(third.Scores, s => Assert.Equal(moved.Contains(s.Key) ? At(19) : At(5), s.Value.Since));

        // Everything judged and scored again from the same data: nothing more is written.
        clock.Now = At(26);
        await w.Risk.RefreshEverythingAsync();
        var fourth = await StoredAsync(w);
        Assert.Equal(third.Periods.Select(p => p.Id), fourth.Periods.Select(p => p.Id));
        Assert.All(fourth.VerdictSince.Values, since => Assert.Equal(At(19), since));
        Assert.All(fourth.Scores, s => Assert.Equal((third.Scores[s.Key].Since, At(26)), (s.Value.Since, s.Value.Computed)));

        // A not_affected decision scores its finding again (track, excluded): one period for it.
        clock.Now = At(27);
        var top = (await w.FindingsAsync(sort: FindingSort.Priority))[0];
        Assert.NotEqual(SsvcPriority.Track, top.Risk!.Priority);
        await new DecisionService(w.Conn, clock).RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings([top.Id], DecisionScopeKind.Digest),
            Status = Core.Vex.VexStatus.NotAffected,
            Justification = Core.Vex.VexJustification.ComponentNotPresent,
            Author = "Ann",
        });
        var fifth = await StoredAsync(w);
        var period = Assert.Single(fifth.Periods.Skip(fourth.Periods.Count));
        Assert.Equal((top.Id, (SsvcPriority?)top.Risk.Priority, null, fourth.Scores[top.Id].Since, At(27)),
            (period.FindingId, period.Priority, period.Verdict, Utc(period.Since), Utc(period.Until)));
        Assert.Equal((SsvcPriority.Track, At(27)), (fifth.Scores[top.Id].Priority, fifth.Scores[top.Id].Since));
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
}
