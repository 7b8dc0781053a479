using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Audit;
using Triage.Web.Features.Decisions;
using Triage.Web.Infrastructure;
using Triage.Testing;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Decisions;

/// <summary>The findings grid's bulk action as the page calls it (<see cref="VexDecisionStore.DecideAsync"/>), on both providers.</summary>
public sealed class VexDecisionStoreTests
{
    /// <summary>A selection large enough for the bulk write path: one audit entry for the call, attributed to the signed-in
    /// user (name and id, web channel), and every statement authored by them with their user id as origin.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DecideAsync_BulkSelection_AuditedOnceAndAttributedToTheSignedInUser(string provider)
    {
        var conn = await DemoDatabase.NewAsync(provider);
        List<long> selected;
        await using (var db = TriageDatabase.CreateContext(conn))
            selected = await db.Findings.Where(f => f.Active).OrderBy(f => f.Id).Select(f => f.Id).ToListAsync();
        var audit = new AuditLog(conn);
        var store = new VexDecisionStore(new TriageConnection(conn), TimeProvider.System, audit);

        var record = await store.DecideAsync(new FindingDecision
        {
            FindingIds = selected, Status = DecisionStatus.NotAffected, Scope = DecisionScopeKind.Digest,
            Justification = Triage.Core.Vex.VexJustification.ComponentNotPresent, AuthorId = "user-7", AuthorName = "carol@example.test", AuthorSees = null,
        });

        var entry = Assert.Single(await audit.QueryAsync(new AuditQuery { Action = AuditActions.DecisionRecorded }));
        Assert.Equal(("carol@example.test", "user-7", AuditChannels.Web), (entry.Actor, entry.ActorId, entry.Channel));
        Assert.Equal("carol@example.test", record.AuthorName);
        await using var check = TriageDatabase.CreateContext(conn);
        var decisions = await check.Decisions.AsNoTracking().ToListAsync();
        // Digest scope: one statement per selected finding, enough for the bulk path.
        Assert.Equal(selected.Count, decisions.Count);
        Assert.True(decisions.Count >= 16, $"{decisions.Count} statements: too few for the bulk path");
        Assert.All(decisions, d => Assert.Equal("carol@example.test", d.Author));
        Assert.Equal(decisions.Count, await check.DecisionOrigins.CountAsync(o => o.UserId == "user-7"));
        Assert.Equal(selected.Count, await check.EffectiveDecisions.CountAsync(e => selected.Contains(e.FindingId) && e.Author == "carol@example.test"));
    }
}
