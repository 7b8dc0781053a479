namespace Triage.Core.Audit;

/// <summary>
/// One row of the audit log: who did what to which target, when, and from which address. Rows are only ever added
/// (docs/decisions/080-security-and-audit.md): the store has no update or delete path, and database triggers refuse both.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    /// <summary>UTC, millisecond precision.</summary>
    public DateTime At { get; set; }
    /// <summary>What happened, one of <see cref="AuditActions"/> (stored as its wire name, e.g. "report.imported").</summary>
    public required string Action { get; set; }
    /// <summary>The user name (email) of the person, "cli:USER" for the command line, or the name typed at a failed sign-in.</summary>
    public required string Actor { get; set; }
    /// <summary>The Identity user id when the actor is a known user.</summary>
    public string? ActorId { get; set; }
    /// <summary>web (a page), api (a token), cli, system (scheduled maintenance).</summary>
    public required string Channel { get; set; }
    /// <summary>Remote IP address of the request or circuit; "local" for the command line.</summary>
    public string? Address { get; set; }
    /// <summary>Kind of the thing acted on: finding, scan, vex-document, vex-export, token, user, team, repository, signature.</summary>
    public string? TargetType { get; set; }
    /// <summary>Its id or name (a finding id, an image reference, a token prefix, a user's email).</summary>
    public string? Target { get; set; }
    /// <summary>Short human-readable facts (status and justification, counts, the new role). Never a secret.</summary>
    public string? Details { get; set; }
    /// <summary>False for refused or failed attempts (failed sign-in, rejected report).</summary>
    public bool Succeeded { get; set; } = true;

    public const int MaxDetailsLength = 2000;
    public const int MaxFieldLength = 400;
}

/// <summary>The actions the audit log records, by their stable wire names.</summary>
public static class AuditActions
{
    public const string ReportImported = "report.imported";
    public const string ReportRejected = "report.rejected";
    public const string DecisionRecorded = "decision.recorded";
    public const string VexImported = "vex.imported";
    public const string VexExported = "vex.exported";
    public const string SignatureCreated = "signature.created";
    public const string SignatureVerified = "signature.verified";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string UserCreated = "user.created";
    public const string RoleChanged = "user.role_changed";
    public const string UserLocked = "user.locked";
    public const string UserUnlocked = "user.unlocked";
    public const string TeamCreated = "team.created";
    public const string TeamDeleted = "team.deleted";
    public const string TeamMemberAdded = "team.member_added";
    public const string TeamMemberRemoved = "team.member_removed";
    public const string RepositoryAssigned = "repository.assigned";
    public const string SignedIn = "auth.signed_in";
    public const string SignedOut = "auth.signed_out";
    public const string SignInFailed = "auth.sign_in_failed";
    public const string AuditExported = "audit.exported";
    public const string TrustRootSet = "trust.root_set";
    public const string TrustRootRemoved = "trust.root_removed";
    public const string SignerTrusted = "trust.signer_added";
    public const string SignerRemoved = "trust.signer_removed";
    public const string AttestationRecorded = "attestation.recorded";
    /// <summary>A stored signature checked again after a trust-policy change came out differently.</summary>
    public const string SignatureRechecked = "signature.rechecked";
    /// <summary>A stored VEX document matched again by the system after report imports (ADR 110).</summary>
    public const string VexRematched = "vex.rematched";
    /// <summary>Superseded runtime evidence deleted by retention (counts in the details, ADR 111).</summary>
    public const string RuntimePurged = "runtime.purged";

    public static IReadOnlyList<string> All { get; } =
    [
        ReportImported, ReportRejected, DecisionRecorded, VexImported, VexExported, SignatureCreated, SignatureVerified, TokenCreated, TokenRevoked,
        UserCreated, RoleChanged, UserLocked, UserUnlocked, TeamCreated, TeamDeleted, TeamMemberAdded, TeamMemberRemoved, RepositoryAssigned,
        SignedIn, SignedOut, SignInFailed, AuditExported, TrustRootSet, TrustRootRemoved, SignerTrusted, SignerRemoved, AttestationRecorded,
        SignatureRechecked, VexRematched, RuntimePurged,
    ];
}

/// <summary>Where an action came from.</summary>
public static class AuditChannels
{
    public const string Web = "web";
    public const string Api = "api";
    public const string Cli = "cli";
    /// <summary>The app's own scheduled maintenance (retention), with the instance that ran it as the address.</summary>
    public const string System = "system";
}

/// <summary>Who acts and from where, as the audit log records it.</summary>
public sealed record AuditActor(string Name, string? UserId, string Channel, string? Address)
{
    /// <summary>The command line: the operating-system user on this machine.</summary>
    public static AuditActor Cli() => new("cli:" + Environment.UserName, null, AuditChannels.Cli, "local");

    /// <summary>The app's scheduled maintenance <paramref name="job"/>, run by <paramref name="instance"/>.</summary>
    public static AuditActor System(string job, string instance) => new("system:" + job, null, AuditChannels.System, instance);
}

/// <summary>Filters of the audit page, the API and the export. Times are UTC; null means unbounded.</summary>
public sealed record AuditQuery
{
    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    /// <summary>An exact action, or a prefix ending in '.' ("vex." for every VEX action).</summary>
    public string? Action { get; init; }
    /// <summary>Substring of the actor.</summary>
    public string? Actor { get; init; }
    /// <summary>Substring of the target.</summary>
    public string? Target { get; init; }
    public string? Address { get; init; }
    /// <summary>Rows before this id (paging newest first); null for the newest.</summary>
    public long? BeforeId { get; init; }
    public int Limit { get; init; } = 100;
}
