using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Core.Audit;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Admin;

/// <summary>Users, roles and teams. Every method checks that the caller is an admin; Identity work runs in its own
/// scope so a long-lived circuit never holds a stale UserManager context.</summary>
public sealed class AdminService(IDbContextFactory<TriageDbContext> factory, IServiceScopeFactory scopes, TimeProvider time, ILogger<AdminService> log,
    Infrastructure.TriageConnection connection, Auditor audit)
{
    public async Task<List<UserRow>> UsersAsync(UserAccess caller, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(ct);
        var teams = await (from m in db.TeamMembers join t in db.Teams on m.TeamId equals t.Id select new { m.UserId, t.Name }).ToListAsync(ct);
        var now = time.GetUtcNow();
        return users.Select(u => new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName,
            roles.Where(r => r.UserId == u.Id).Select(r => TriageRoleNames.TryParse(r.Name, out var role) ? role : (TriageRole?)null).Max(),
            teams.Where(t => t.UserId == u.Id).Select(t => t.Name).Order().ToList(),
            u.LastSignInAt is { } s ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : null, u.LockoutEnd is { } end && end > now)).ToList();
    }

    public async Task<IReadOnlyList<string>> CreateUserAsync(UserAccess caller, string email, string? name, string password, TriageRole role)
    {
        Require(caller);
        await using var scope = scopes.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<AccountSetup>();
        await setup.EnsureRolesAsync();
        var errors = await setup.CreateUserAsync(email, password, name, role);
        if (errors.Count == 0)
        {
            log.LogInformation("User {Email} created with role {Role} by {Admin}", email, role.ToName(), caller.Name);
            await audit.RecordAsync(caller, AuditActions.UserCreated, "user", email, $"role {role.ToName()}");
        }
        return errors;
    }

    public async Task<IReadOnlyList<string>> SetRoleAsync(UserAccess caller, string userId, TriageRole role)
    {
        Require(caller);
        if (userId == caller.UserId && role != TriageRole.Admin) return ["You cannot take the admin role from yourself; ask another admin."];
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<TriageUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return ["This user no longer exists."];
        var errors = await scope.ServiceProvider.GetRequiredService<AccountSetup>().SetRoleAsync(user, role);
        if (errors.Count == 0)
        {
            log.LogInformation("Role of {User} set to {Role} by {Admin}", user.UserName, role.ToName(), caller.Name);
            await audit.RecordAsync(caller, AuditActions.RoleChanged, "user", user.UserName, $"role {role.ToName()}");
        }
        return errors;
    }

    public async Task<IReadOnlyList<string>> SetLockedAsync(UserAccess caller, string userId, bool locked)
    {
        Require(caller);
        if (userId == caller.UserId && locked) return ["You cannot lock yourself out."];
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<TriageUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null) return ["This user no longer exists."];
        await users.SetLockoutEnabledAsync(user, true);
        var r = await users.SetLockoutEndDateAsync(user, locked ? DateTimeOffset.MaxValue : null);
        if (!r.Succeeded) return r.Errors.Select(e => e.Description).ToList();
        await users.UpdateSecurityStampAsync(user);
        log.LogInformation("{User} {Action} by {Admin}", user.UserName, locked ? "locked" : "unlocked", caller.Name);
        await audit.RecordAsync(caller, locked ? AuditActions.UserLocked : AuditActions.UserUnlocked, "user", user.UserName);
        return [];
    }

    public async Task<List<TeamRow>> TeamsAsync(UserAccess caller, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync(ct);
        var members = await (from m in db.TeamMembers join u in db.Users on m.UserId equals u.Id
                             select new { m.TeamId, u.Id, Name = u.DisplayName ?? u.UserName ?? u.Id }).ToListAsync(ct);
        var repos = await db.Repositories.AsNoTracking().Where(r => r.TeamId != null).Select(r => new { r.Id, r.Name, r.TeamId }).ToListAsync(ct);
        return teams.Select(t => new TeamRow(t.Id, t.Name,
            members.Where(m => m.TeamId == t.Id).Select(m => new NamedId(m.Id, m.Name)).OrderBy(m => m.Name).ToList(),
            repos.Where(r => r.TeamId == t.Id).Select(r => new NamedId(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Name)).OrderBy(r => r.Name).ToList()))
            .ToList();
    }

    public async Task CreateTeamAsync(UserAccess caller, string name, CancellationToken ct = default)
    {
        Require(caller);
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("give the team a name");
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Teams.AnyAsync(t => t.Name == name.Trim(), ct)) throw new ArgumentException($"a team named {name.Trim()} exists already");
        db.Teams.Add(new Team { Name = name.Trim(), CreatedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(caller, AuditActions.TeamCreated, "team", name.Trim());
    }

    public async Task DeleteTeamAsync(UserAccess caller, long teamId, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        // Its images become unowned (visible to everyone signed in) rather than disappearing.
        var repositories = await db.Repositories.Where(r => r.TeamId == teamId).Select(r => r.Id).ToListAsync(ct);
        await db.Repositories.Where(r => r.TeamId == teamId).ExecuteUpdateAsync(s => s.SetProperty(r => r.TeamId, (long?)null), ct);
        var teamName = await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        await db.Teams.Where(t => t.Id == teamId).ExecuteDeleteAsync(ct);
        // Team decisions stop reaching these images (docs/decisions/025-effective-decisions.md).
        await Data.Vex.EffectiveDecisions.RecomputeForRepositoriesAsync(connection.ConnectionString, repositories, time, ct);
        if (teamName is not null) await audit.RecordAsync(caller, AuditActions.TeamDeleted, "team", teamName, "its images are now unowned");
    }

    public async Task SetMemberAsync(UserAccess caller, long teamId, string userId, bool member, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var exists = await db.TeamMembers.AnyAsync(m => m.TeamId == teamId && m.UserId == userId, ct);
        if (member && !exists) db.TeamMembers.Add(new TeamMember { TeamId = teamId, UserId = userId });
        if (!member && exists) await db.TeamMembers.Where(m => m.TeamId == teamId && m.UserId == userId).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        if (member != exists)
        {
            var team = await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).FirstOrDefaultAsync(ct);
            var who = await db.Users.Where(u => u.Id == userId).Select(u => u.UserName).FirstOrDefaultAsync(ct);
            await audit.RecordAsync(caller, member ? AuditActions.TeamMemberAdded : AuditActions.TeamMemberRemoved, "team", team, $"{(member ? "added" : "removed")} {who ?? userId}");
        }
    }

    /// <summary>Gives a repository to a team (or to nobody).</summary>
    public async Task AssignRepositoryAsync(UserAccess caller, long repositoryId, long? teamId, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var n = await db.Repositories.Where(r => r.Id == repositoryId).ExecuteUpdateAsync(s => s.SetProperty(r => r.TeamId, teamId), ct);
        if (n == 0) throw new ArgumentException("this repository does not exist");
        // Team decisions start or stop reaching its images (docs/decisions/025-effective-decisions.md).
        await Data.Vex.EffectiveDecisions.RecomputeForRepositoriesAsync(connection.ConnectionString, [repositoryId], time, ct);
        var repo = await db.Repositories.Where(r => r.Id == repositoryId).Select(r => r.Name).FirstAsync(ct);
        var owner = teamId is { } t ? await db.Teams.Where(x => x.Id == t).Select(x => x.Name).FirstOrDefaultAsync(ct) : null;
        await audit.RecordAsync(caller, AuditActions.RepositoryAssigned, "repository", repo, owner is null ? "owned by no team (visible to everyone)" : $"owned by team {owner}");
    }

    public async Task<List<NamedId>> SearchRepositoriesAsync(UserAccess caller, string? text, CancellationToken ct = default)
    {
        Require(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Repositories.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text)) q = q.Where(r => r.Name.Contains(text.Trim().ToLower()));
        return (await q.OrderBy(r => r.Name).Take(20).Select(r => new { r.Id, r.Name }).ToListAsync(ct))
            .Select(r => new NamedId(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Name)).ToList();
    }

    private static void Require(UserAccess caller)
    {
        if (!caller.IsAdmin) throw new UnauthorizedAccessException("only admins manage users and teams");
    }
}

public sealed record UserRow(string Id, string Email, string? DisplayName, TriageRole? Role, IReadOnlyList<string> Teams, DateTime? LastSignInAt, bool Locked);

public sealed record TeamRow(long Id, string Name, IReadOnlyList<NamedId> Members, IReadOnlyList<NamedId> Repositories);

public sealed record NamedId(string Id, string Name);
