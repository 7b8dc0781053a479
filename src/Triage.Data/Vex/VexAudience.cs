using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Vex;

/// <summary>
/// The teams whose images a reader of VEX output may see: a team member exports and reviews the decisions about their
/// own team's images only; an admin (and the CLI, which works on the database directly) passes no audience and sees all.
/// Decisions scoped to everything (a disputed CVE) concern every team and stay visible to all.
/// </summary>
public sealed record VexAudience(IReadOnlyCollection<long> TeamIds)
{
    /// <summary>True when the image belongs to one of the audience's teams.</summary>
    public bool Sees(ImageRef image) => image.TeamId is { } team && TeamIds.Contains(team);

    /// <summary>A stable key part, so exports for different audiences keep separate version histories.</summary>
    public string Key => "teams:" + string.Join(',', TeamIds.Order());

    /// <summary>The decisions among <paramref name="decisions"/> this audience may see: global ones, its teams' ones, and
    /// those scoped to its teams' repositories and their digests.</summary>
    public async Task<HashSet<long>> VisibleDecisionsAsync(TriageDbContext db, IReadOnlyCollection<Decision> decisions, CancellationToken ct = default)
    {
        var teams = TeamIds.ToList();
        var teamKeys = teams.Select(DecisionRows.TeamKey).ToHashSet(StringComparer.Ordinal);
        var names = (await db.Repositories.AsNoTracking().Where(r => r.TeamId != null && teams.Contains(r.TeamId.Value))
            .Select(r => r.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        return decisions.Where(d => d.ScopeKind switch
        {
            DecisionScopeKind.Global => true,
            DecisionScopeKind.Team => d.ScopeTeam is not null && teamKeys.Contains(d.ScopeTeam),
            // A digest decision names its repository too.
            DecisionScopeKind.Repository or DecisionScopeKind.Digest => d.ScopeRepository is not null && names.Contains(d.ScopeRepository),
            _ => false,
        }).Select(d => d.Id).ToHashSet();
    }
}
