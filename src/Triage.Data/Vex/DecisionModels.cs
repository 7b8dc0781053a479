using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Queries;

namespace Triage.Data.Vex;

/// <summary>Where a decision goes.</summary>
public abstract record DecisionTarget
{
    private DecisionTarget() { }

    /// <summary>The image a reference names now (<c>repo:tag</c> → its current digest, <c>repo@sha256:…</c>): a digest scope each.</summary>
    public sealed record Image(string Reference) : DecisionTarget;

    /// <summary>Every current and future digest of a repository.</summary>
    public sealed record Repository(string Name) : DecisionTarget;

    /// <summary>Every image of a team's repositories.</summary>
    public sealed record Team(string TeamId) : DecisionTarget;

    /// <summary>Everywhere (a disputed CVE).</summary>
    public sealed record Everywhere : DecisionTarget
    {
        public static Everywhere Instance { get; } = new();
    }

    /// <summary>Selected findings: each gives its vulnerability and package; <paramref name="Level"/> says how far the
    /// decision reaches from each (its digest, its repository, its team, everywhere). One statement per distinct
    /// (vulnerability, scope, package); the package is bound without version so the decision survives rebuilds.</summary>
    public sealed record Findings(IReadOnlyList<long> FindingIds, DecisionScopeKind Level) : DecisionTarget;
}

/// <summary>A decision to record (or preview). <see cref="Vulnerability"/> is required except for
/// <see cref="DecisionTarget.Findings"/>, where each finding names its own.</summary>
public sealed record DecisionRequest
{
    public string? Vulnerability { get; init; }
    public required DecisionTarget Target { get; init; }
    /// <summary>A package purl; without version it covers every version. Ignored for <see cref="DecisionTarget.Findings"/>.</summary>
    public string? Package { get; init; }
    /// <summary>A <c>vers:</c> range narrowing <see cref="Package"/>.</summary>
    public string? VersionRange { get; init; }
    public required VexStatus Status { get; init; }
    public VexJustification? Justification { get; init; }
    public CycloneDxJustification? CycloneDxJustification { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public IReadOnlyList<CycloneDxResponse>? Responses { get; init; }
    public required string Author { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Notes { get; init; }
    /// <summary>What the author saw in force when deciding: finding id → decision id (null: undecided). When a listed
    /// finding's effective decision has changed since, recording fails with <see cref="DecisionConflictException"/>.</summary>
    public IReadOnlyDictionary<long, long?>? Seen { get; init; }
    /// <summary>Where a decision made in the web app came from (finding, live session, signed-in user); recorded beside it.</summary>
    public DecisionOriginInfo? Origin { get; init; }
    /// <summary>The images the author may decide on; null for every image (an admin, the CLI). With a value, a target with an
    /// image outside it is refused (<see cref="DecisionTargetError.NotYourImage"/>), and so is a decision everywhere
    /// (<see cref="DecisionTargetError.AdminOnlyScope"/>): it would reach other teams' images too.</summary>
    public ImageVisibility? AuthorSees { get; init; }
}

/// <summary>The finding a decision was made on, the live session, and the signed-in user's id.</summary>
public sealed record DecisionOriginInfo(long? FindingId, long? SessionId, string? UserId);

/// <summary>A decision as a session, the dashboard or a finding's page lists it: the stored statement and where it was made.</summary>
public sealed record DecisionEntry(DecisionView Decision, long? FindingId, long? SessionId, string? UserId);

/// <summary>A stored decision as the UI, the API and the CLI show it.</summary>
public sealed record DecisionView
{
    /// <summary>0 for a decision that is only previewed.</summary>
    public long Id { get; init; }
    public Guid StatementId { get; init; }
    public required string Vulnerability { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public DecisionScopeKind ScopeKind { get; init; }
    public string? Repository { get; init; }
    public string? Digest { get; init; }
    public string? Team { get; init; }
    /// <summary>"image docker.io/library/alpine@sha256:…", "repository …", "team 3", "everywhere".</summary>
    public required string ScopeText { get; init; }
    public string? Package { get; init; }
    public string? VersionRange { get; init; }
    public VexStatus Status { get; init; }
    public VexJustification? Justification { get; init; }
    public CycloneDxJustification? CycloneDxJustification { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public IReadOnlyList<CycloneDxResponse> Responses { get; init; } = [];
    public required string Author { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Notes { get; init; }
    public required DecisionSourceView Source { get; init; }
    public long? SupersedesId { get; init; }
    public DateTimeOffset? RecordedAt { get; init; }
    /// <summary>Open reasons to look again (expired, new package version, KEV, evidence).</summary>
    public IReadOnlyList<ReReviewFlag> Flags { get; init; } = [];

    public static DecisionView From(VexStatement s, Decision? row = null, VexDocumentRecord? document = null, VexTrust trust = VexTrust.Trusted,
        IReadOnlyList<ReReviewFlag>? flags = null)
    {
        var (kind, repo, digest, team) = DecisionRows.ScopeColumns(s.Scope);
        return new DecisionView
        {
            Id = row?.Id ?? 0,
            StatementId = s.Id,
            Vulnerability = s.Vulnerability.Id,
            Aliases = s.Vulnerability.Aliases,
            ScopeKind = kind,
            Repository = repo,
            Digest = digest,
            Team = team,
            ScopeText = s.Scope.Describe(),
            Package = s.Subcomponent?.Package.ToString(),
            VersionRange = s.Subcomponent?.Range?.Text,
            Status = s.Status,
            Justification = s.Justification,
            CycloneDxJustification = s.CycloneDxJustification,
            ImpactStatement = s.ImpactStatement,
            ActionStatement = s.ActionStatement,
            Responses = s.Responses,
            Author = s.Author,
            Timestamp = s.Timestamp,
            ExpiresAt = s.ExpiresAt,
            Notes = s.Notes,
            Source = DecisionSourceView.From(s.Source, document, trust),
            SupersedesId = row?.SupersedesId,
            RecordedAt = row is null ? null : DecisionRows.Offset(row.RecordedAt),
            Flags = flags ?? [],
        };
    }

    public static DecisionView From(StoredStatement s, VexTrustPolicy trust, IReadOnlyList<ReReviewFlag>? flags = null) =>
        From(s.Statement, s.Row, s.Document, trust.For(s.Statement.Source), flags);
}

/// <summary>Who said it: a person in Triage, or an imported document (with its id, version and signature status).</summary>
public sealed record DecisionSourceView(
    string Kind,
    VexFormat? Format,
    long? DocumentRecordId,
    string? DocumentId,
    string? Author,
    string? Version,
    DateTimeOffset? Timestamp,
    VexSignatureStatus? Signature,
    VexTrust Trust)
{
    public const string User = "user";
    public const string Document = "document";

    public static DecisionSourceView From(VexSource source, VexDocumentRecord? document, VexTrust trust) => source switch
    {
        VexSource.ImportedDocument d => new(Document, d.Format, document?.Id, d.DocumentId, d.Author, d.Version, d.Timestamp, d.Signature, trust),
        VexSource.User u => new(User, null, null, null, u.UserId, null, null, null, VexTrust.Trusted),
        _ => new(User, null, null, null, null, null, null, null, trust),
    };
}

/// <summary>A finding a decision reaches: what governs it now and whether the decision will.</summary>
public sealed record TouchedFinding(long FindingId, string Image, string? Digest, string Package, string Vulnerability, FindingVex? Before, bool Governs);

/// <summary>What a decision did (or, previewed, would do).</summary>
/// <param name="Findings">Current findings the new statements apply to (before precedence).</param>
public sealed record DecisionOutcome(bool Recorded, IReadOnlyList<DecisionView> Decisions, IReadOnlyList<TouchedFinding> Findings)
{
    /// <summary>How many current findings the decision applies to.</summary>
    public int Applies => Findings.Count;
    /// <summary>How many of them it governs (nothing more specific overrides it).</summary>
    public int Governs => Findings.Count(f => f.Governs);
}

/// <summary>One entry of a finding's history.</summary>
/// <param name="Reason">Why it does not govern the finding (null for the effective one).</param>
public sealed record DecisionHistoryEntry(DecisionView Decision, bool Effective, string? Reason);

/// <summary>Every statement that applies to a finding, oldest first, and the one in force.</summary>
public sealed record DecisionHistory(long FindingId, FindingVex? Effective, string Explanation, IReadOnlyList<DecisionHistoryEntry> Timeline);

/// <summary>A finding whose decision changed after the author looked.</summary>
public sealed record DecisionConflict(long FindingId, long? Expected, DecisionView? Current);

/// <summary>Recording refused: someone else decided on these findings since the author looked. Nothing was written.</summary>
public sealed class DecisionConflictException(IReadOnlyList<DecisionConflict> conflicts) : Exception(Describe(conflicts))
{
    public IReadOnlyList<DecisionConflict> Conflicts { get; } = conflicts;

    private static string Describe(IReadOnlyList<DecisionConflict> conflicts)
    {
        var c = conflicts[0];
        var now = c.Current is { } d ? $"{d.Status.ToWire()} by {d.Author} at {d.Timestamp.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (decision {d.Id})" : "undecided";
        var more = conflicts.Count > 1 ? $" (and {conflicts.Count - 1} more finding(s))" : "";
        return $"Finding {c.FindingId} changed since you looked: it is now {now}, not {(c.Expected is { } e ? $"decision {e}" : "undecided")}{more}.";
    }
}

/// <summary>A current decision that needs a person to look again.</summary>
public sealed record ReReviewItem(DecisionView Decision, IReadOnlyList<ReReviewFlag> Flags);

public static class DecisionScopeNames
{
    /// <summary>The `vex` field of a finding from the statement that governs it.</summary>
    public static FindingVex ToFindingVex(this StoredStatement s) => new(
        s.Row.Id,
        s.Statement.Status,
        s.Statement.Justification?.ToWire() ?? s.Statement.CycloneDxJustification?.ToWire(),
        s.Row.ScopeKind,
        SourceWire(s.Statement.Source),
        s.Statement.Author,
        s.Statement.Timestamp);

    /// <summary>The scope word of the findings JSON <c>vex.scope</c> and the API.</summary>
    public static string ToWire(this DecisionScopeKind k) => k switch
    {
        DecisionScopeKind.Digest => "digest",
        DecisionScopeKind.Repository => "repository",
        DecisionScopeKind.Team => "team",
        DecisionScopeKind.Global => "global",
    };

    public static bool TryParse(string? value, out DecisionScopeKind kind)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "digest" or "image": kind = DecisionScopeKind.Digest; return true;
            case "repository": kind = DecisionScopeKind.Repository; return true;
            case "team": kind = DecisionScopeKind.Team; return true;
            case "global" or "all" or "everywhere": kind = DecisionScopeKind.Global; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>"user" for a person's decision, else the imported document's format.</summary>
    public static string SourceWire(VexSource source) => source switch
    {
        VexSource.ImportedDocument d => d.Format.ToWire(),
        _ => DecisionSourceView.User,
    };
}
