using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Triage.Core.Domain;
using Triage.Data;

namespace Triage.Web.Infrastructure.Access;

/// <summary>
/// "Authorization: Bearer trg_…" for /api/v1/*. The principal is the token's owner with the owner's role, plus one
/// scope claim per granted scope. Unknown, expired or revoked tokens and locked-out owners fail; the reason is
/// logged without the token.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IDbContextFactory<TriageDbContext> factory, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>Last-used times are written at most this often per token, so reads do not turn into writes.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (!ApiTokens.LooksLikeToken(secret)) return AuthenticateResult.Fail("not a Triage API token");

        var hash = ApiTokens.Hash(secret);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(Context.RequestAborted);
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, Context.RequestAborted);
        if (token is null) return AuthenticateResult.Fail("unknown API token");
        if (!token.IsUsable(now)) return AuthenticateResult.Fail($"API token {token.Prefix}… is revoked or expired");

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == token.UserId, Context.RequestAborted);
        if (user is null || (user.LockoutEnd is { } end && end > time.GetUtcNow()))
            return AuthenticateResult.Fail($"the owner of API token {token.Prefix}… cannot sign in");
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == user.Id select r.Name)
            .ToListAsync(Context.RequestAborted);

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            // Bookkeeping only: a database that refuses writes (read-only, full) must not stop reads through the API.
            try
            {
                await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
            }
            catch (Exception e) when (Operations.StorageFaults.Classify(e) is Operations.StorageFault.ReadOnly or Operations.StorageFault.Full)
            {
                Logger.LogWarning("Last-used time of API token {Prefix}… not recorded: the database refuses writes", token.Prefix);
            }
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id),
            new(ClaimTypes.Name, user.UserName ?? user.Id),
            new(TriageClaims.DisplayName, $"{user.Label} (token {token.Name})"),
            new(TriageClaims.TokenId, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        claims.AddRange(roles.OfType<string>().Select(r => new Claim(ClaimTypes.Role, r)));
        if (token.Scopes.HasFlag(TokenScopes.Read)) claims.Add(new Claim(TriageClaims.Scope, TokenScopeNames.Read));
        if (token.Scopes.HasFlag(TokenScopes.Upload)) claims.Add(new Claim(TriageClaims.Scope, TokenScopeNames.Upload));
        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"triage\"";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "unauthorized", "Sign-in required",
            "send an API token as 'Authorization: Bearer trg_…' (create one on the API tokens page)");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", "Not allowed",
            "this token lacks the scope or its owner the role this endpoint needs");
}
