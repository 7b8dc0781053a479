using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Core.Audit;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Admin;

/// <summary>API tokens: created by their owner (upload needs the Triager role), shown once, listed without the secret,
/// revoked by their owner or an admin.</summary>
public sealed class TokenService(IDbContextFactory<TriageDbContext> factory, TimeProvider time, ILogger<TokenService> log, Auditor audit)
{
    public async Task<CreatedToken> CreateAsync(UserAccess user, string name, TokenScopes scopes, DateTime? expiresAt, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("give the token a name, e.g. the CI pipeline that uses it");
        if (scopes == TokenScopes.None) throw new ArgumentException("choose at least one scope");
        if (scopes.HasFlag(TokenScopes.Upload) && !user.CanTriage) throw new UnauthorizedAccessException("only triagers and admins may create upload tokens");
        var now = time.GetUtcNow().UtcDateTime;
        if (expiresAt is { } e && e <= now) throw new ArgumentException("the expiry date is in the past");
        var (secret, prefix, hash) = ApiTokens.Create();
        var token = new ApiToken
        {
            UserId = user.UserId, Name = name.Trim(), Prefix = prefix, Hash = hash, Scopes = scopes, CreatedAt = now, ExpiresAt = expiresAt,
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        log.LogInformation("API token {Prefix}… ({Scopes}) created by {User}", prefix, scopes.ToWire(), user.Name);
        await audit.RecordAsync(user, AuditActions.TokenCreated, "token", prefix + "…",
            $"'{token.Name}', scopes {scopes.ToWire()}" + (expiresAt is { } x ? $", expires {x:yyyy-MM-dd}" : ""));
        return new CreatedToken(token.Id, secret);
    }

    /// <summary>The user's own tokens, or every token for an admin who asks for all.</summary>
    public async Task<List<TokenRow>> ListAsync(UserAccess user, bool all, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.ApiTokens.AsNoTracking();
        if (!(all && user.IsAdmin)) q = q.Where(t => t.UserId == user.UserId);
        var rows = await (from t in q
                          join u in db.Users on t.UserId equals u.Id
                          orderby t.RevokedAt != null, t.CreatedAt descending
                          select new { t, Owner = u.DisplayName ?? u.UserName ?? u.Id }).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        return rows.Select(r => new TokenRow(r.t.Id, r.t.Name, r.t.Prefix, r.t.Scopes, r.Owner, r.t.UserId, Utc(r.t.CreatedAt), Utc(r.t.ExpiresAt),
            Utc(r.t.LastUsedAt), Utc(r.t.RevokedAt), r.t.IsUsable(now))).ToList();
    }

    public async Task RevokeAsync(UserAccess user, long tokenId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId, ct) ?? throw new ArgumentException("this token does not exist");
        if (token.UserId != user.UserId && !user.IsAdmin) throw new UnauthorizedAccessException("only the owner or an admin revokes a token");
        if (token.RevokedAt is not null) return;
        token.RevokedAt = time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        log.LogInformation("API token {Prefix}… revoked by {User}", token.Prefix, user.Name);
        await audit.RecordAsync(user, AuditActions.TokenRevoked, "token", token.Prefix + "…", $"'{token.Name}'");
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);
    private static DateTime? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : null;
}

public sealed record CreatedToken(long Id, string Secret);

public sealed record TokenRow(long Id, string Name, string Prefix, TokenScopes Scopes, string Owner, string OwnerId, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt, DateTime? RevokedAt, bool Usable);
