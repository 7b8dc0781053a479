namespace Triage.Core.Domain;

// Who may see and decide what, and the live triage sessions. Users themselves are ASP.NET Core Identity users
// (Triage.Data.TriageUser); these types refer to them by their string id so Core stays free of ASP.NET.

/// <summary>The three roles. A user has exactly one; each includes the rights of the ones before it.</summary>
public enum TriageRole
{
    /// <summary>Sees findings of their teams' images (and unowned ones), joins sessions, proposes.</summary>
    Viewer = 0,
    /// <summary>Also imports reports, decides, runs sessions.</summary>
    Triager = 1,
    /// <summary>Also manages users, teams, every token; sees every image.</summary>
    Admin = 2,
}

public static class TriageRoleNames
{
    public const string Viewer = "Viewer";
    public const string Triager = "Triager";
    public const string Admin = "Admin";

    public static string ToName(this TriageRole r) => r switch
    {
        TriageRole.Viewer => Viewer,
        TriageRole.Triager => Triager,
        TriageRole.Admin => Admin,
    };

    public static bool TryParse(string? value, out TriageRole role)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "viewer": role = TriageRole.Viewer; return true;
            case "triager": role = TriageRole.Triager; return true;
            case "admin": role = TriageRole.Admin; return true;
            default: role = default; return false;
        }
    }
}

/// <summary>A team owns image repositories (<see cref="ImageRepository.TeamId"/>); its members see and decide on them.</summary>
public sealed class Team
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class TeamMember
{
    public long TeamId { get; set; }
    public required string UserId { get; set; }
}

/// <summary>What an API token may do. Stored as a comma-separated word list ("read,upload").</summary>
[Flags]
public enum TokenScopes
{
    None = 0,
    /// <summary>GET /api/v1/*.</summary>
    Read = 1,
    /// <summary>POST /api/v1/scans.</summary>
    Upload = 2,
}

public static class TokenScopeNames
{
    public const string Read = "read";
    public const string Upload = "upload";

    public static string ToWire(this TokenScopes s)
    {
        var words = new List<string>(2);
        if (s.HasFlag(TokenScopes.Read)) words.Add(Read);
        if (s.HasFlag(TokenScopes.Upload)) words.Add(Upload);
        return string.Join(',', words);
    }

    public static TokenScopes Parse(string? value)
    {
        var s = TokenScopes.None;
        foreach (var w in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (w.Equals(Read, StringComparison.OrdinalIgnoreCase)) s |= TokenScopes.Read;
            else if (w.Equals(Upload, StringComparison.OrdinalIgnoreCase)) s |= TokenScopes.Upload;
        }
        return s;
    }
}

/// <summary>
/// A personal API token for CI. The secret is shown once; only its SHA-256 is stored (the secret has 256 bits of
/// entropy, so a fast unsalted hash is enough and lets a request find its token with one indexed lookup).
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>The first characters of the secret ("trg_AbCd12"), to recognise a token in lists and logs.</summary>
    public required string Prefix { get; set; }
    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public required string Hash { get; set; }
    public TokenScopes Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    public bool IsUsable(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A named findings filter (the query string of the findings page), used as a session queue.</summary>
public sealed class SavedFilter
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The findings page query string without '?', e.g. "severity=critical,high&amp;team=3&amp;status=undecided".</summary>
    public required string Query { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A live team triage session over a queue of findings, snapshotted when it starts.</summary>
public sealed class TriageSession
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The findings filter the queue was built from.</summary>
    public required string Query { get; set; }
    /// <summary>The user who moves the queue.</summary>
    public required string FacilitatorId { get; set; }
    public required string FacilitatorName { get; set; }
    /// <summary>Index into the queue of the finding under discussion.</summary>
    public int CurrentPosition { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public bool IsOpen => ClosedAt is null;
}

/// <summary>One finding of a session's queue, in order.</summary>
public sealed class SessionItem
{
    public long SessionId { get; set; }
    public int Position { get; set; }
    public long FindingId { get; set; }
}

/// <summary>Decision words, as VEX (OpenVEX/CycloneDX) spells them.</summary>
public enum DecisionStatus
{
    UnderInvestigation = 0,
    Affected = 1,
    NotAffected = 2,
    Fixed = 3,
}

public static class DecisionStatusNames
{
    public static string ToWire(this DecisionStatus s) => s switch
    {
        DecisionStatus.UnderInvestigation => "under_investigation",
        DecisionStatus.Affected => "affected",
        DecisionStatus.NotAffected => "not_affected",
        DecisionStatus.Fixed => "fixed",
    };

    public static string ToLabel(this DecisionStatus s) => s switch
    {
        DecisionStatus.UnderInvestigation => "Under investigation",
        DecisionStatus.Affected => "Affected",
        DecisionStatus.NotAffected => "Not affected",
        DecisionStatus.Fixed => "Fixed",
    };

    public static bool TryParse(string? value, out DecisionStatus status)
    {
        switch (value?.Trim().ToLowerInvariant().Replace('-', '_'))
        {
            case "under_investigation": status = DecisionStatus.UnderInvestigation; return true;
            case "affected": status = DecisionStatus.Affected; return true;
            case "not_affected": status = DecisionStatus.NotAffected; return true;
            case "fixed": status = DecisionStatus.Fixed; return true;
            default: status = default; return false;
        }
    }
}

/// <summary>A suggestion made in a session by anyone present; a triager turns it into a decision.</summary>
public sealed class SessionProposal
{
    public long Id { get; set; }
    public long SessionId { get; set; }
    public long FindingId { get; set; }
    public DecisionStatus Status { get; set; }
    public string? Note { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public DateTime CreatedAt { get; set; }
}
