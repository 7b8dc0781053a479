using System.Security.Claims;
using Triage.Core.Domain;

namespace Triage.Web.Infrastructure.Access;

/// <summary>Claim names and policies. Roles are ordinary role claims; API tokens add scope claims.</summary>
public static class TriageClaims
{
    public const string Scope = "triage:scope";
    public const string TokenId = "triage:token";
    public const string DisplayName = "triage:name";

    public static string? UserId(this ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>The display name, else the user name.</summary>
    public static string Label(this ClaimsPrincipal p) => p.FindFirstValue(DisplayName) is { Length: > 0 } n ? n : p.Identity?.Name ?? "unknown";

    /// <summary>The highest role the principal holds, or null for none (a signed-in user without a role sees nothing).</summary>
    public static TriageRole? Role(this ClaimsPrincipal p) =>
        p.IsInRole(TriageRoleNames.Admin) ? TriageRole.Admin
        : p.IsInRole(TriageRoleNames.Triager) ? TriageRole.Triager
        : p.IsInRole(TriageRoleNames.Viewer) ? TriageRole.Viewer
        : null;

    public static bool CanTriage(this ClaimsPrincipal p) => p.Role() is TriageRole.Triager or TriageRole.Admin;

    public static bool IsAdmin(this ClaimsPrincipal p) => p.Role() is TriageRole.Admin;
}

public static class Policies
{
    /// <summary>Any role: see findings of visible images, join sessions, propose.</summary>
    public const string View = "view";
    /// <summary>Triager or Admin: import, decide, run sessions.</summary>
    public const string Triage = "triage";
    /// <summary>Admin: users, teams, every token.</summary>
    public const string Admin = "admin";
    /// <summary>Any valid API token (the floor for every /api/v1 endpoint).</summary>
    public const string ApiToken = "api-token";
    /// <summary>API token with the read scope.</summary>
    public const string ApiRead = "api-read";
    /// <summary>API token with the upload scope, owned by a Triager or Admin.</summary>
    public const string ApiUpload = "api-upload";

    public static readonly string[] ViewRoles = [TriageRoleNames.Viewer, TriageRoleNames.Triager, TriageRoleNames.Admin];
    public static readonly string[] TriageRoles = [TriageRoleNames.Triager, TriageRoleNames.Admin];
}
