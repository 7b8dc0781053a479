using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Triage.Core.Demo;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>ADR 090: totals and grouped views read from rollups equal the counts and aggregates they replace (before and
/// after decisions, rescans, an expired decision not yet swept), and the findings API's admission bound refuses beyond its slots.</summary>
public sealed class FindingsCountTests
{
    private sealed class ClockAt(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The demo reports, half of them before decisions (affected, under investigation, one that expires) and the
    /// rest after (rescans and other scanners of the same images reach decided findings), one repository on a team.</summary>
    private static async Task<(string Conn, long Team, VexDecisionStore Decisions)> SeedAsync(string provider)
    {
        var conn = TestDatabases.New(provider);
        var reports = DemoDataset.Reports();
        await DemoDatabase.ImportAsync(conn, reports.Where((_, i) => i % 2 == 0));
        var decisions = new VexDecisionStore(new TriageConnection(conn), TimeProvider.System);
        long team;
        await using (var setup = TriageDatabase.CreateContext(conn))
        {
            var ids = await setup.Findings.Where(f => f.Active).OrderBy(f => f.Id).Select(f => f.Id).Take(8).ToListAsync();
            await decisions.DecideAsync(new FindingDecision { FindingIds = ids.Take(3).ToList(), Status = DecisionStatus.Affected, AuthorId = "t", AuthorName = "t", AuthorSees = null, ActionStatement = "upgrade" });
            await decisions.DecideAsync(new FindingDecision { FindingIds = ids.Skip(3).Take(3).ToList(), Status = DecisionStatus.UnderInvestigation, AuthorId = "t", AuthorName = "t", AuthorSees = null });
            await decisions.DecideAsync(new FindingDecision
            {
                FindingIds = ids.Skip(6).ToList(), Status = DecisionStatus.UnderInvestigation, AuthorId = "t", AuthorName = "t", AuthorSees = null, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
            });
            var t = new Team { Name = "team", CreatedAt = DateTime.UtcNow };
            setup.Teams.Add(t);
            await setup.SaveChangesAsync();
            team = t.Id;
            var repository = await setup.Repositories.OrderBy(r => r.Id).FirstAsync();
            repository.TeamId = team;
            await setup.SaveChangesAsync();
        }
        await DemoDatabase.ImportAsync(conn, reports.Where((_, i) => i % 2 == 1));
        return (conn, team, decisions);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CountAsync_EveryStatusAndFilter_EqualsCountingTheFindings(string provider)
    {
        var (conn, team, decisions) = await SeedAsync(provider);
        // Two hours on, one decision has expired but no sweep has run: it no longer counts as decided.
        var later = new VexDecisionStore(new TriageConnection(conn), new ClockAt(DateTimeOffset.UtcNow.AddHours(2)));
        var admin = new UserAccess("a", "admin", TriageRole.Admin, []);
        var member = new UserAccess("m", "member", TriageRole.Triager, [team]);

        string[] queries =
        [
            "", "status=undecided", "status=affected", "status=all", "status=resolved", "severity=critical,high", "fix=yes", "fix=no&scanner=grype",
            "scanner=trivy", "scanner=snyk", "team=" + team, "team=" + team + "&status=undecided", "package=openssl", "severity=low&fix=yes",
            "status=undecided&severity=critical,high", "status=undecided&fix=yes&scanner=trivy",
        ];
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.True(await db.EffectiveDecisions.CountAsync() >= 8);
        foreach (var store in new[] { decisions, later })
            foreach (var user in new[] { admin, member })
                foreach (var text in queries)
                {
                    var q = FindingsQuery.Parse(text);
                    Assert.True(await q.Apply(db, user, store).CountAsync() == await q.CountAsync(db, user, store), $"{user.Name}: {text}");
                }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GroupsAsync_EveryGroupingAndScope_EqualsAggregatingTheFindings(string provider)
    {
        var (conn, team, decisions) = await SeedAsync(provider);
        var admin = new UserAccess("a", "admin", TriageRole.Admin, []);
        var member = new UserAccess("m", "member", TriageRole.Triager, [team]);
        await using var db = TriageDatabase.CreateContext(conn);
        var image = await db.Repositories.OrderBy(r => r.Id).Select(r => r.Name).FirstAsync();
        string[] filters = ["", "team=" + team, "image=" + Uri.EscapeDataString(image), "status=undecided", "severity=critical,high", "fix=yes"];
        foreach (var user in new[] { admin, member })
            foreach (var group in new[] { "vulnerability", "package" })
                foreach (var filter in filters)
                    foreach (var (skip, take) in new[] { (0, 25), (0, 3), (3, 3) })
                    {
                        var q = FindingsQuery.Parse($"group={group}&{filter}");
                        var filtered = q.Apply(db, user, decisions);
                        var direct = group == "vulnerability"
                            ? await Triage.Data.Queries.FindingGroupQueries.ByVulnerabilityAsync(db, filtered, skip, take)
                            : await Triage.Data.Queries.FindingGroupQueries.BySourcePackageAsync(db, filtered, skip, take);
                        var answer = await q.GroupsAsync(db, user, decisions, skip, take);
                        Assert.True(direct.Total == answer.Total, $"{user.Name}: {q.ToQueryString()} total");
                        Assert.True(direct.Rows.SequenceEqual(answer.Rows), $"{user.Name}: {q.ToQueryString()} rows {skip}+{take}");
                    }
    }

    [Fact]
    public async Task Gate_BeyondRunningAndQueuedSlots_RefusesUntilASlotFrees()
    {
        using var gate = new FindingsQueryGate(Options.Create(new FindingsQueryOptions { MaxConcurrent = 1, MaxQueued = 0, QueueSeconds = 0.2 }));
        var first = await gate.EnterAsync(CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await gate.EnterAsync(CancellationToken.None));
        first.Dispose();
        using var again = await gate.EnterAsync(CancellationToken.None);
        Assert.NotNull(again);
    }
}
