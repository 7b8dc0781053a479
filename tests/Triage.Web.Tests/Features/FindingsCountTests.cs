using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Triage.Core.Demo;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Import;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Findings;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;
using Triage.Testing;

namespace Triage.Web.Tests.Features;

/// <summary>ADR 090: totals read from rollups equal the counts they replace, and the findings API's admission bound refuses
/// beyond its slots.</summary>
public sealed class FindingsCountTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CountAsync_EveryStatusAndFilter_EqualsCountingTheFindings(string provider)
    {
        var conn = TestDatabases.New(provider);
        var importer = new ReportImporter(conn);
        foreach (var report in DemoDataset.Reports())
        {
            using var stream = new MemoryStream(report.Json, writable: false);
            await importer.ImportAsync(stream, report.FileName, new ImportOptions { ImportedBy = "test" });
        }
        var decisions = new VexDecisionStore(new TriageConnection(conn), TimeProvider.System);
        long team;
        await using (var setup = TriageDatabase.CreateContext(conn))
        {
            var ids = await setup.Findings.Where(f => f.Active).OrderBy(f => f.Id).Select(f => f.Id).Take(6).ToListAsync();
            await decisions.DecideAsync(new FindingDecision { FindingIds = ids.Take(3).ToList(), Status = DecisionStatus.Affected, AuthorId = "t", AuthorName = "t", ActionStatement = "upgrade" });
            await decisions.DecideAsync(new FindingDecision { FindingIds = ids.Skip(3).ToList(), Status = DecisionStatus.UnderInvestigation, AuthorId = "t", AuthorName = "t" });
            var t = new Team { Name = "team", CreatedAt = DateTime.UtcNow };
            setup.Teams.Add(t);
            await setup.SaveChangesAsync();
            team = t.Id;
            var repository = await setup.Repositories.OrderBy(r => r.Id).FirstAsync();
            repository.TeamId = team;
            await setup.SaveChangesAsync();
        }
        var admin = new UserAccess("a", "admin", TriageRole.Admin, []);
        var member = new UserAccess("m", "member", TriageRole.Triager, [team]);

        string[] queries =
        [
            "", "status=undecided", "status=affected", "status=all", "status=resolved", "severity=critical,high", "fix=yes", "fix=no&scanner=grype",
            "scanner=trivy", "scanner=snyk", "team=" + team, "team=" + team + "&status=undecided", "package=openssl", "severity=low&fix=yes",
        ];
        await using var db = TriageDatabase.CreateContext(conn);
        foreach (var user in new[] { admin, member })
            foreach (var text in queries)
            {
                var q = FindingsQuery.Parse(text);
                Assert.True(await q.Apply(db, user, decisions).CountAsync() == await q.CountAsync(db, user, decisions), $"{user.Name}: {text}");
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
