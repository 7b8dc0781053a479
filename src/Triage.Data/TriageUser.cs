using Microsoft.AspNetCore.Identity;

namespace Triage.Data;

/// <summary>A person who signs in (local password or OpenID Connect). Role and team membership live in the Identity
/// role tables and <see cref="Triage.Core.Domain.TeamMember"/>.</summary>
public sealed class TriageUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastSignInAt { get; set; }

    /// <summary>What pages show: the display name, else the user name.</summary>
    public string Label => string.IsNullOrWhiteSpace(DisplayName) ? UserName ?? Email ?? Id : DisplayName;
}
