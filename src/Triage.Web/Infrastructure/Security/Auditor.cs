using System.Security.Claims;
using Triage.Core.Audit;
using Triage.Data.Audit;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Infrastructure.Security;

/// <summary>
/// Records security-relevant actions in the append-only audit log with the acting user and address. Called after the
/// action has been committed; a failure to write the log is logged as an error and does not undo the action
/// (docs/decisions/080-security-and-audit.md). Never pass a secret in target or details.
/// </summary>
public sealed class Auditor(AuditLog log, IHttpContextAccessor http, ILogger<Auditor> logger)
{
    /// <summary>An action by a signed-in person (a page or, with a token principal, the API).</summary>
    public Task RecordAsync(UserAccess user, string action, string? targetType, string? target, string? details = null, bool succeeded = true) =>
        AppendAsync(new AuditActor(user.Name, user.UserId, Channel(), Address()), action, targetType, target, details, succeeded);

    public Task RecordAsync(ClaimsPrincipal user, string action, string? targetType, string? target, string? details = null, bool succeeded = true) =>
        AppendAsync(new AuditActor(user.Identity?.Name ?? "anonymous", user.UserId(), Channel(user), Address()), action, targetType, target, details, succeeded);

    /// <summary>An action of a known user outside a page or request principal (sign-in, sign-out).</summary>
    public Task RecordAsync(string name, string? userId, string action, string? details = null, bool succeeded = true) =>
        AppendAsync(new AuditActor(name, userId, AuditChannels.Web, Address()), action, "user", name, details, succeeded);

    /// <summary>An attempt by someone not (yet) known, e.g. a failed sign-in under a typed name.</summary>
    public Task RecordAnonymousAsync(string name, string action, string? details = null, bool succeeded = false) =>
        AppendAsync(new AuditActor(name, null, AuditChannels.Web, Address()), action, "user", name, details, succeeded);

    private async Task AppendAsync(AuditActor who, string action, string? targetType, string? target, string? details, bool succeeded)
    {
        try
        {
            await log.AppendAsync(who, action, targetType, target, details, succeeded);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not write audit event {Action} by {Actor}", action, who.Name);
        }
    }

    private string Channel(ClaimsPrincipal? user = null)
    {
        var principal = user ?? http.HttpContext?.User;
        return principal?.FindFirst(TriageClaims.TokenId) is not null ? AuditChannels.Api : AuditChannels.Web;
    }

    /// <summary>The caller's address: the request's (behind a trusted proxy, the forwarded one), null inside a live circuit
    /// where no request is at hand.</summary>
    private string? Address() => http.HttpContext?.Connection.RemoteIpAddress?.ToString();
}
