using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Triage.Core.Domain;
using Triage.Data;

namespace Triage.Web.Infrastructure.Access;

/// <summary>Roles and the first admin: from Triage:Admin:Email/Password at start, or from the one-time setup page
/// while the database has no user.</summary>
public sealed class AccountSetup(UserManager<TriageUser> users, RoleManager<IdentityRole> roles, TimeProvider time)
{
    private static readonly SemaphoreSlim FirstAdminLock = new(1, 1);

    public async Task EnsureRolesAsync()
    {
        foreach (var name in new[] { TriageRoleNames.Viewer, TriageRoleNames.Triager, TriageRoleNames.Admin })
            if (!await roles.RoleExistsAsync(name))
                Check(await roles.CreateAsync(new IdentityRole(name)), $"create role {name}");
    }

    public Task<bool> HasUsersAsync(CancellationToken ct = default) => users.Users.AnyAsync(ct);

    /// <summary>Creates the first admin, or returns errors (including "already set up" once any user exists).</summary>
    public async Task<IReadOnlyList<string>> CreateFirstAdminAsync(string email, string password, string? displayName)
    {
        await FirstAdminLock.WaitAsync();
        try
        {
            if (await HasUsersAsync()) return ["Triage is already set up: sign in instead."];
            await EnsureRolesAsync();
            return await CreateUserAsync(email, password, displayName, TriageRole.Admin);
        }
        finally
        {
            FirstAdminLock.Release();
        }
    }

    /// <summary>Creates a local account with one role; returns Identity's error messages (empty on success).</summary>
    public async Task<IReadOnlyList<string>> CreateUserAsync(string email, string password, string? displayName, TriageRole role)
    {
        var user = new TriageUser
        {
            UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim(), CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return created.Errors.Select(e => e.Description).ToList();
        var added = await users.AddToRoleAsync(user, role.ToName());
        return added.Succeeded ? [] : added.Errors.Select(e => e.Description).ToList();
    }

    /// <summary>Makes <paramref name="role"/> the user's only role.</summary>
    public async Task<IReadOnlyList<string>> SetRoleAsync(TriageUser user, TriageRole role)
    {
        var current = await users.GetRolesAsync(user);
        var remove = current.Where(r => r != role.ToName()).ToList();
        if (remove.Count > 0)
        {
            var r = await users.RemoveFromRolesAsync(user, remove);
            if (!r.Succeeded) return r.Errors.Select(e => e.Description).ToList();
        }
        if (!current.Contains(role.ToName()))
        {
            var a = await users.AddToRoleAsync(user, role.ToName());
            if (!a.Succeeded) return a.Errors.Select(e => e.Description).ToList();
        }
        await users.UpdateSecurityStampAsync(user);
        return [];
    }

    private static void Check(IdentityResult r, string what)
    {
        if (!r.Succeeded) throw new InvalidOperationException($"{what}: {string.Join("; ", r.Errors.Select(e => e.Description))}");
    }
}

/// <summary>Adds the display name to the cookie principal.</summary>
public sealed class TriageClaimsPrincipalFactory(UserManager<TriageUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<TriageUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(TriageUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(TriageClaims.DisplayName, user.Label));
        return identity;
    }
}

public static class AccountSetupStartup
{
    /// <summary>Creates the roles, and the first admin when Triage:Admin:Email and Password are configured and no user exists.</summary>
    public static async Task EnsureTriageAccountsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var setup = scope.ServiceProvider.GetRequiredService<AccountSetup>();
        await setup.EnsureRolesAsync();
        var email = app.Configuration["Triage:Admin:Email"];
        var password = app.Configuration["Triage:Admin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password) || await setup.HasUsersAsync()) return;
        var errors = await setup.CreateFirstAdminAsync(email, password, app.Configuration["Triage:Admin:Name"]);
        if (errors.Count > 0)
            throw new InvalidOperationException($"Triage:Admin: the first admin could not be created: {string.Join(" ", errors)}");
        app.Logger.LogInformation("First admin {Email} created from configuration", email);
    }
}
