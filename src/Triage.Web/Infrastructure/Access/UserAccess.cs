using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;

namespace Triage.Web.Infrastructure.Access;

/// <summary>Who is asking and what they may see: an admin sees every image; anyone else sees the images of their
/// teams and the images no team owns yet.</summary>
public sealed record UserAccess(string UserId, string Name, TriageRole Role, IReadOnlyList<long> TeamIds)
{
    public bool IsAdmin => Role == TriageRole.Admin;
    public bool CanTriage => Role is TriageRole.Triager or TriageRole.Admin;

    /// <summary>Whose images this user's VEX exports and re-review list cover: null (everything) for an admin.</summary>
    public Triage.Data.Vex.VexAudience? VexAudience => IsAdmin ? null : new Triage.Data.Vex.VexAudience(TeamIds);

    /// <summary>The images this user may see and decide on (null: everything). Reads and decision writes share this rule.</summary>
    public ImageVisibility? Images => IsAdmin ? null : new ImageVisibility(TeamIds);

    /// <summary>Ids of the repositories this user may see, as a subquery (null: everything).</summary>
    public IQueryable<long>? VisibleRepositoryIds(TriageDbContext db) => Images?.Filter(db.Repositories).Select(r => r.Id);

    /// <summary>Ids of the artifacts (image digests) this user may see, as a subquery (null: everything).</summary>
    public IQueryable<long>? VisibleArtifactIds(TriageDbContext db)
    {
        var repos = VisibleRepositoryIds(db);
        return repos is null ? null : db.Artifacts.Where(a => repos.Contains(a.RepositoryId)).Select(a => a.Id);
    }

    /// <summary>Narrows a findings query to what this user may see.</summary>
    public IQueryable<Finding> Visible(TriageDbContext db, IQueryable<Finding> findings)
    {
        var artifacts = VisibleArtifactIds(db);
        return artifacts is null ? findings : findings.Where(f => artifacts.Contains(f.ArtifactId));
    }

    public IQueryable<ImageRepository> Visible(TriageDbContext db, IQueryable<ImageRepository> repositories) =>
        Images?.Filter(repositories) ?? repositories;

    public async Task<bool> CanSeeFindingAsync(TriageDbContext db, long findingId, CancellationToken ct) =>
        await Visible(db, db.Findings.Where(f => f.Id == findingId)).AnyAsync(ct);
}

/// <summary>Resolves <see cref="UserAccess"/> for a principal (teams come from the database, so a change applies at once).</summary>
public sealed class UserAccessService(IDbContextFactory<TriageDbContext> factory, AuthenticationStateProvider? authState = null)
{
    public async Task<UserAccess> ForAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        var id = principal.UserId() ?? throw new UnauthorizedAccessException("not signed in");
        var role = principal.Role() ?? throw new UnauthorizedAccessException("no role");
        await using var db = await factory.CreateDbContextAsync(ct);
        var teams = await db.TeamMembers.Where(m => m.UserId == id).Select(m => m.TeamId).ToListAsync(ct);
        return new UserAccess(id, principal.Label(), role, teams);
    }

    /// <summary>The signed-in user of the current circuit.</summary>
    public async Task<UserAccess> CurrentAsync(CancellationToken ct = default)
    {
        if (authState is null) throw new InvalidOperationException("no authentication state in this scope");
        var state = await authState.GetAuthenticationStateAsync();
        return await ForAsync(state.User, ct);
    }
}
