using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Web.Features.Findings;
using Triage.Web.Features.Sessions;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features;

/// <summary>
/// Live sessions follow the images of their queue (docs/decisions/107-team-scope-of-vex-imports-and-sessions.md): a team
/// member lists, opens and exports a session only when every finding of its queue is on an image they may see; another
/// one is as absent as a session that does not exist (page, export, actions). Starting a session offers and accepts only
/// queues over their images. An admin sees every session. On both providers: the rule is one correlated query.
/// </summary>
public abstract class SessionTeamScopeTests(TriageWebFactory app)
{
    /// <summary>The world with four sessions: team A's (started by the member), team B's (by B's triager), one over the image no
    /// team owns (by B's triager: both may see it), and an admin's over team A's image and one finding of team B's.</summary>
    private sealed record World(TeamImages Teams, string Tag, long OwnSession, long OtherSession, long UnownedSession, long MixedSession)
    {
        public string Name(string which) => $"{which} session {Tag}";
    }

    private async Task<World> WorldAsync()
    {
        var teams = await TeamImages.CreateAsync(app);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var member = await app.AccessForAsync(teams.Member);
        var other = await app.AccessForAsync(teams.OtherMember);
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        await using var scope = app.Services.CreateAsyncScope();
        var sessions = scope.ServiceProvider.GetRequiredService<SessionService>();
        FindingsQuery Team(long team) => FindingsQuery.Parse($"team={team}");
        FindingsQuery Image(TestImage image) => FindingsQuery.Parse("image=" + Uri.EscapeDataString(image.Repository));

        var own = await sessions.StartAsync($"own session {tag}", Team(teams.TeamA), member);
        var others = await sessions.StartAsync($"other session {tag}", Team(teams.TeamB), other);
        var unowned = await sessions.StartAsync($"unowned session {tag}", Image(teams.UnownedImage), other);
        var mixed = await sessions.StartAsync($"mixed session {tag}", Image(teams.OwnImage), admin);
        await using (var db = app.Db())
        {
            var next = await db.SessionItems.Where(i => i.SessionId == mixed).MaxAsync(i => i.Position) + 1;
            db.SessionItems.Add(new SessionItem { SessionId = mixed, Position = next, FindingId = teams.OtherTeamsImage.FindingId });
            await db.SaveChangesAsync();
        }
        return new World(teams, tag, own, others, unowned, mixed);
    }

    private async Task<T> WithSessionsAsync<T>(Func<SessionService, Task<T>> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<SessionService>());
    }

    [Fact]
    public async Task List_AsMember_ShowsOnlySessionsWhoseEveryFindingTheyMaySee_AndAnAdminSeesAll()
    {
        var w = await WorldAsync();
        var member = await app.AccessForAsync(w.Teams.Member);
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);

        var forMember = (await WithSessionsAsync(s => s.ListAsync(member))).Select(s => s.Id).ToHashSet();
        var forAdmin = (await WithSessionsAsync(s => s.ListAsync(admin))).Select(s => s.Id).ToHashSet();

        Assert.Contains(w.OwnSession, forMember);
        Assert.Contains(w.UnownedSession, forMember);
        Assert.DoesNotContain(w.OtherSession, forMember);
        Assert.DoesNotContain(w.MixedSession, forMember);
        Assert.Superset(new HashSet<long> { w.OwnSession, w.OtherSession, w.UnownedSession, w.MixedSession }, forAdmin);

        // The page, as the member's browser gets it.
        var html = await (await app.SignedInClientAsync(w.Teams.Member)).GetStringAsync("/sessions");
        Assert.Contains(w.Name("own"), html, StringComparison.Ordinal);
        Assert.Contains(w.Name("unowned"), html, StringComparison.Ordinal);
        Assert.DoesNotContain(w.Name("other"), html, StringComparison.Ordinal);
        Assert.DoesNotContain(w.Name("mixed"), html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SessionOverAnotherTeamsImages_AsMember_AnswersAsForAMissingSession_AndLeaksNothing()
    {
        var w = await WorldAsync();
        var browser = await app.SignedInClientAsync(w.Teams.Member);
        var missing = await browser.GetStringAsync("/sessions/987654321");

        foreach (var (id, name) in new[] { (w.OtherSession, w.Name("other")), (w.MixedSession, w.Name("mixed")) })
        {
            var response = await browser.GetAsync($"/sessions/{id}");
            var html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("id=\"session-missing\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"session-missing\"", missing, StringComparison.Ordinal);
            Assert.DoesNotContain(name, html, StringComparison.Ordinal);
            Assert.DoesNotContain(w.Teams.OtherMember, html, StringComparison.Ordinal);        // facilitator
            Assert.DoesNotContain(w.Teams.OtherTeamsImage.Vulnerability, html, StringComparison.Ordinal);
            Assert.DoesNotContain("session-queue-list", html, StringComparison.Ordinal);     // queue, presence and feed are not rendered
        }
        Assert.Null(await WithSessionsAsync(async s => await s.LoadAsync(w.OtherSession, await app.AccessForAsync(w.Teams.Member))));

        // The member's own session opens; the admin opens the other team's.
        Assert.Contains(w.Name("own"), await browser.GetStringAsync($"/sessions/{w.OwnSession}"), StringComparison.Ordinal);
        var admin = await app.SignedInClientAsync(TriageWebFactory.AdminEmail);
        Assert.Contains(w.Name("other"), await admin.GetStringAsync($"/sessions/{w.OtherSession}"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("md")]
    [InlineData("csv")]
    public async Task Export_SessionOverAnotherTeamsImages_AsMember_Is404(string format)
    {
        var w = await WorldAsync();
        var browser = await app.SignedInClientAsync(w.Teams.Member);

        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/sessions/{w.OtherSession}/summary.{format}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/sessions/{w.MixedSession}/summary.{format}")).StatusCode);

        var own = await browser.GetAsync($"/sessions/{w.OwnSession}/summary.{format}");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var admin = await (await app.SignedInClientAsync(TriageWebFactory.AdminEmail)).GetAsync($"/sessions/{w.OtherSession}/summary.{format}");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains(w.Teams.OtherTeamsImage.Vulnerability, await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Moving, proposing and closing go through the same rule: another team's session does not exist for the member.</summary>
    [Fact]
    public async Task Actions_OnSessionOverAnotherTeamsImages_AsMember_AreRefusedAsOnAMissingSession()
    {
        var w = await WorldAsync();
        var member = await app.AccessForAsync(w.Teams.Member);
        var bus = app.Services.GetRequiredService<ISessionBus>();
        var room = new SessionRoom(bus, w.MixedSession, new Participant(Guid.NewGuid().ToString("N"), member.UserId, member.Name, "triager"), TimeProvider.System);

        await WithSessionsAsync(async s =>
        {
            Assert.Equal("this session does not exist", (await Assert.ThrowsAsync<ArgumentException>(() => s.CloseAsync(room, member))).Message);
            await Assert.ThrowsAsync<ArgumentException>(() => s.ProposeAsync(room, w.Teams.OwnImage.FindingId, DecisionStatus.Fixed, null, member));
            await Assert.ThrowsAsync<ArgumentException>(() => s.MoveAsync(room, 1, member));
            return 0;
        });
        await using var db = app.Db();
        Assert.Null(await db.TriageSessions.Where(s => s.Id == w.MixedSession).Select(s => s.ClosedAt).SingleAsync());
        Assert.False(await db.SessionProposals.AnyAsync(p => p.SessionId == w.MixedSession));
    }

    [Theory]
    [InlineData("team")]
    [InlineData("image")]
    public async Task Start_QueueNamingAnotherTeamOrItsImage_AsMember_IsRefusedAsAQueueSelectingNothing(string kind)
    {
        var w = await WorldAsync();
        var member = await app.AccessForAsync(w.Teams.Member);
        var query = FindingsQuery.Parse(kind == "team" ? $"team={w.Teams.TeamB}" : "image=" + Uri.EscapeDataString(w.Teams.OtherTeamsImage.Reference));
        int before;
        await using (var db = app.Db()) before = await db.TriageSessions.CountAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => WithSessionsAsync(s => s.StartAsync("sneaky", query, member)));

        Assert.Equal("this queue selects no findings you can see: widen the filter", e.Message);
        Assert.False(await WithSessionsAsync(s => s.MayQueueAsync(query, member)));
        await using (var db = app.Db()) Assert.Equal(before, await db.TriageSessions.CountAsync());
        // The admin may.
        Assert.True(await WithSessionsAsync(async s => await s.StartAsync("admin", query, await app.AccessForAsync(TriageWebFactory.AdminEmail)) > 0));
    }

    [Fact]
    public async Task SavedQueues_AsMember_OfferOnlyThoseOverTheirImages()
    {
        var w = await WorldAsync();
        var member = await app.AccessForAsync(w.Teams.Member);
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        string[] queries =
        [
            $"team={w.Teams.TeamA}", $"team={w.Teams.TeamB}", "image=" + Uri.EscapeDataString(w.Teams.OtherTeamsImage.Repository),
            "image=" + Uri.EscapeDataString(w.Teams.UnownedImage.Reference), "severity=critical",
        ];
        await WithSessionsAsync(async s =>
        {
            for (var i = 0; i < queries.Length; i++) await s.SaveFilterAsync($"queue {i} {w.Tag}", FindingsQuery.Parse(queries[i]), admin);
            return 0;
        });

        var offered = (await WithSessionsAsync(s => s.SavedFiltersAsync(member))).Where(f => f.Name.EndsWith(w.Tag, StringComparison.Ordinal)).Select(f => f.Name).Order();
        var forAdmin = (await WithSessionsAsync(s => s.SavedFiltersAsync(admin))).Count(f => f.Name.EndsWith(w.Tag, StringComparison.Ordinal));

        Assert.Equal([$"queue 0 {w.Tag}", $"queue 3 {w.Tag}", $"queue 4 {w.Tag}"], offered);
        Assert.Equal(queries.Length, forAdmin);
    }

    /// <summary>The rule holds at every read: once the image no team owned is given to team B, the member's view of a session over
    /// it goes (the facilitator included: the findings are team B's now).</summary>
    [Fact]
    public async Task Session_WhoseImageIsGivenToAnotherTeamLater_IsNoLongerTheMembers()
    {
        var w = await WorldAsync();
        var member = await app.AccessForAsync(w.Teams.Member);
        var session = await WithSessionsAsync(s => s.StartAsync($"later {w.Tag}", FindingsQuery.Parse("image=" + Uri.EscapeDataString(w.Teams.UnownedImage.Repository)), member));
        Assert.NotNull(await WithSessionsAsync(s => s.LoadAsync(session, member)));

        await using (var db = app.Db())
        {
            var repo = await db.Repositories.SingleAsync(r => r.Name == w.Teams.UnownedImage.Repository);
            repo.TeamId = w.Teams.TeamB;
            await db.SaveChangesAsync();
        }

        Assert.Null(await WithSessionsAsync(s => s.LoadAsync(session, member)));
        Assert.DoesNotContain(await WithSessionsAsync(s => s.ListAsync(member)), s => s.Id == session);
    }
}

public sealed class SessionTeamScopeSqliteTests(TriageWebFactory app) : SessionTeamScopeTests(app), IClassFixture<TriageWebFactory>;

public sealed class SessionTeamScopePostgresTests(PostgresWebFactory app) : SessionTeamScopeTests(app), IClassFixture<PostgresWebFactory>;
