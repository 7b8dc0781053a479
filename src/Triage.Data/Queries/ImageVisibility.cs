using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>
/// The one rule for which images someone who is not an admin may see and decide on (README, "People, roles and teams"):
/// the images of their teams and the images no team owns yet. "Everything" (an admin, the CLI) is no instance at all:
/// callers pass null, so the unrestricted case cannot be mistaken for an empty team list.
/// Reads (<c>UserAccess</c> in the web app) and decision writes (<see cref="Vex.DecisionRequest.AuthorSees"/>) both use it,
/// so what a person may decide on is exactly what they are shown.
/// </summary>
public sealed record ImageVisibility(IReadOnlyCollection<long> TeamIds)
{
    /// <summary>True for an image of a repository owned by <paramref name="owningTeam"/> (null: no team owns it yet).</summary>
    public bool Sees(long? owningTeam) => owningTeam is not { } team || TeamIds.Contains(team);

    /// <summary>The repositories among <paramref name="repositories"/> this rule lets through, as a composable query.</summary>
    public IQueryable<ImageRepository> Filter(IQueryable<ImageRepository> repositories)
    {
        // A list, not the collection itself: EF translates Contains over a captured list into one parameter.
        var teams = TeamIds.ToList();
        return repositories.Where(r => r.TeamId == null || teams.Contains(r.TeamId.Value));
    }
}
