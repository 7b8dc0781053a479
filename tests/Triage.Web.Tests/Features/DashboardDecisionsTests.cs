using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Features.Dashboard;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure;
using Triage.Web.Infrastructure.Access;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>The dashboard's decisions of the week say what each is about ("CVE-… in package", the words the findings page
/// uses for the finding), also for a bulk decision, which names no single finding; a reader sees only decisions on
/// findings they may see.</summary>
public sealed class DashboardDecisionsTests
{
    private sealed class Factory(string conn) : IDbContextFactory<TriageDbContext>
    {
        public TriageDbContext CreateDbContext() => TriageDatabase.CreateContext(conn);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DecisionsOfTheWeek_NameTheirVulnerabilityAndPackage_ForWhatTheReaderMaySee(string provider)
    {
        var conn = await DemoDatabase.NewAsync(provider);

        await using var db = TriageDatabase.CreateContext(conn);
        var owned = await db.Repositories.OrderBy(r => r.Id).FirstAsync();
        var team = new Team { Name = "owners", CreatedAt = DateTime.UtcNow };
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        owned.TeamId = team.Id;
        await db.SaveChangesAsync();

        var ownedArtifacts = db.Artifacts.Where(a => a.RepositoryId == owned.Id).Select(a => a.Id);
        var inOwned = await db.Findings.Where(f => f.Active && ownedArtifacts.Contains(f.ArtifactId)).OrderBy(f => f.Id).Select(f => f.Id).Take(2).ToListAsync();
        var elsewhere = await db.Findings.Where(f => f.Active && !ownedArtifacts.Contains(f.ArtifactId)).OrderBy(f => f.Id).Select(f => f.Id).Take(2).ToListAsync();
        Assert.Equal(2, inOwned.Count);
        Assert.Equal(2, elsewhere.Count);
        var bulk = new[] { inOwned[0], elsewhere[0] };
        var single = new[] { inOwned[1], elsewhere[1] };

        // What the findings page calls these findings, read through its own query.
        var ids = bulk.Concat(single).ToList();
        var views = await FindingQueries.ToViewsAsync(db, db.Findings.AsNoTracking().Where(f => ids.Contains(f.Id)));
        var subject = views.ToDictionary(v => v.Id, v => $"{v.Vulnerability.Id} in {v.Package.Name}");

        var decisions = new VexDecisionStore(new TriageConnection(conn), TimeProvider.System);
        await decisions.DecideAsync(new FindingDecision
        {
            FindingIds = bulk.ToList(), Status = DecisionStatus.Affected, AuthorId = "a", AuthorName = "Ada", AuthorSees = null, ActionStatement = "upgrade",
        });
        foreach (var id in single)
            await decisions.DecideAsync(new FindingDecision
            {
                FindingIds = [id], Status = DecisionStatus.UnderInvestigation, AuthorId = "a", AuthorName = "Ada", AuthorSees = null,
            });

        var admin = new UserAccess("a", "admin", TriageRole.Admin, []);
        var outsider = new UserAccess("o", "outsider", TriageRole.Triager, []);
        var forAdmin = (await DashboardModel.LoadAsync(new Factory(conn), decisions, admin, DateTime.UtcNow, 200)).DecisionsThisWeek;
        // The bulk decision is one statement per finding, none of them tied to a single finding.
        Assert.Equal(bulk.Select(id => subject[id]).Order(), forAdmin.Where(d => d.FindingId == 0).Select(d => d.Subject).Order());
        Assert.Equal(single.Order(), forAdmin.Where(d => d.FindingId > 0).Select(d => d.FindingId).Order());
        Assert.All(forAdmin.Where(d => d.FindingId > 0), d => Assert.Equal(subject[d.FindingId], d.Subject));
        Assert.All(forAdmin, d => Assert.False(string.IsNullOrEmpty(d.ScopeText)));

        var forOutsider = (await DashboardModel.LoadAsync(new Factory(conn), decisions, outsider, DateTime.UtcNow, 200)).DecisionsThisWeek;
        Assert.Equal(new[] { subject[elsewhere[0]], subject[elsewhere[1]] }.Order(), forOutsider.Select(d => d.Subject).Order());
    }
}
