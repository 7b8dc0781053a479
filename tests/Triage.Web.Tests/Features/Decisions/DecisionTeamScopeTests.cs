using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Web.Features.Decisions;
using Triage.Web.Tests.Infrastructure;

namespace Triage.Web.Tests.Features.Decisions;

/// <summary>
/// The pages' write path (finding page, bulk dialog, session dialog): each turns the form into a decision with
/// <see cref="DecisionInput.ToDecision"/> for the signed-in user and records it through <see cref="IDecisionStore"/>. A
/// team member is refused another team's image and the everywhere scope with a sentence the page can show; an admin is not.
/// </summary>
public sealed class DecisionTeamScopeTests(TriageWebFactory app) : IClassFixture<TriageWebFactory>
{
    private IDecisionStore Store => app.Services.GetRequiredService<IDecisionStore>();

    private static readonly DecisionInput UnderInvestigation = new(DecisionStatus.UnderInvestigation);

    private async Task<int> DecisionCountAsync()
    {
        await using var db = app.Db();
        return await db.Decisions.CountAsync();
    }

    [Fact]
    public async Task Decide_FindingOfAnotherTeam_AsTriager_IsRefusedWithAReadableReason()
    {
        var world = await TeamImages.CreateAsync(app);
        var member = await app.AccessForAsync(world.Member);
        var before = await DecisionCountAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            Store.DecideAsync(UnderInvestigation.ToDecision([world.OtherTeamsImage.FindingId], null, member)));

        Assert.Contains("another team", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DecisionCountAsync());
    }

    [Fact]
    public async Task Decide_Everywhere_AsTriager_IsRefused_EvenFromOwnFinding()
    {
        var world = await TeamImages.CreateAsync(app);
        var member = await app.AccessForAsync(world.Member);
        var before = await DecisionCountAsync();
        var input = UnderInvestigation with { Scope = DecisionScopeKind.Global };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.DecideAsync(input.ToDecision([world.OwnImage.FindingId], null, member)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PreviewAsync(input.ToDecision([world.OwnImage.FindingId], null, member)));

        Assert.Contains("Only an admin", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DecisionCountAsync());
    }

    /// <summary>The bulk dialog's "every image of a team": another team's id is refused, the member's own is recorded.</summary>
    [Fact]
    public async Task Decide_WholeTeam_AsTriager_OnlyForOwnTeam()
    {
        var world = await TeamImages.CreateAsync(app);
        var member = await app.AccessForAsync(world.Member);
        var before = await DecisionCountAsync();
        FindingDecision ForTeam(long team, TestImage image) => UnderInvestigation.ToDecision([image.FindingId], null, member) with
        {
            Team = team.ToString(System.Globalization.CultureInfo.InvariantCulture), Vulnerability = image.Vulnerability,
        };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.PreviewAsync(ForTeam(world.TeamB, world.OtherTeamsImage)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DecideAsync(ForTeam(world.TeamB, world.OtherTeamsImage)));
        Assert.Equal(before, await DecisionCountAsync());

        await Store.DecideAsync(ForTeam(world.TeamA, world.OwnImage));
        Assert.Equal(before + 1, await DecisionCountAsync());
    }

    [Theory]
    [InlineData(true, DecisionScopeKind.Digest)]
    [InlineData(true, DecisionScopeKind.Team)]
    [InlineData(false, DecisionScopeKind.Digest)]
    [InlineData(false, DecisionScopeKind.Repository)]
    public async Task Decide_OwnTeamsOrUnownedFinding_AsTriager_IsRecorded(bool own, DecisionScopeKind scope)
    {
        var world = await TeamImages.CreateAsync(app);
        var member = await app.AccessForAsync(world.Member);
        var before = await DecisionCountAsync();
        var finding = (own ? world.OwnImage : world.UnownedImage).FindingId;

        var record = await Store.DecideAsync((UnderInvestigation with { Scope = scope }).ToDecision([finding], null, member));

        Assert.Equal(scope, record.Scope);
        Assert.Equal(before + 1, await DecisionCountAsync());
    }

    [Theory]
    [InlineData(DecisionScopeKind.Digest)]
    [InlineData(DecisionScopeKind.Global)]
    public async Task Decide_AnotherTeamsFinding_AsAdmin_IsRecorded(DecisionScopeKind scope)
    {
        var world = await TeamImages.CreateAsync(app);
        var admin = await app.AccessForAsync(TriageWebFactory.AdminEmail);
        var before = await DecisionCountAsync();

        await Store.DecideAsync((UnderInvestigation with { Scope = scope }).ToDecision([world.OtherTeamsImage.FindingId], null, admin));

        Assert.Equal(before + 1, await DecisionCountAsync());
    }
}
