using Triage.Core.Vex;

namespace Triage.Core.Domain;

// Persisted VEX decisions and imported VEX documents (docs/decisions/024-vex-persistence.md). Plain classes like
// Entities.cs; the behaviour lives on Triage.Core.Vex.VexStatement, which every row is turned back into before use.
// Decisions are append-only: no code path updates or deletes a Decision row.

/// <summary>Where a decision applies. The numbers are the scope's specificity (more specific wins).</summary>
public enum DecisionScopeKind
{
    Global = 0,
    Team = 1,
    Repository = 2,
    Digest = 3,
}

/// <summary>One VEX statement as recorded: by a person in Triage, or taken from an imported document.</summary>
public sealed class Decision
{
    public long Id { get; set; }
    /// <summary>The statement's own id (<see cref="VexStatement.Id"/>), stable across export and import.</summary>
    public Guid StatementId { get; set; }
    /// <summary>The id the author gave, spelling normalised; applied through the alias groups of the findings it meets.</summary>
    public required string VulnerabilityId { get; set; }
    /// <summary>Other names the statement gave (imported documents); a person's decision names one id.</summary>
    public List<string> VulnerabilityAliases { get; set; } = [];
    public DecisionScopeKind ScopeKind { get; set; }
    /// <summary>Normalised repository (Digest and Repository scopes).</summary>
    public string? ScopeRepository { get; set; }
    /// <summary>"sha256:…" (Digest scope).</summary>
    public string? ScopeDigest { get; set; }
    /// <summary>Team id (Team scope).</summary>
    public string? ScopeTeam { get; set; }
    /// <summary>The package the statement is about, as a purl (no version: every version).</summary>
    public string? SubcomponentPurl { get; set; }
    /// <summary>The subcomponent's package name in lower case: finds the decisions about an imported image's packages.</summary>
    public string? SubcomponentName { get; set; }
    /// <summary>A <c>vers:</c> range that narrows <see cref="SubcomponentPurl"/> to some versions.</summary>
    public string? SubcomponentRange { get; set; }
    public VexStatus Status { get; set; }
    public VexJustification? Justification { get; set; }
    /// <summary>The CycloneDX justification when the author gave one (kept verbatim, see ADR 022).</summary>
    public CycloneDxJustification? CycloneDxJustification { get; set; }
    public string? ImpactStatement { get; set; }
    public string? ActionStatement { get; set; }
    /// <summary>CycloneDX responses, as their spec words.</summary>
    public List<string> Responses { get; set; } = [];
    public required string Author { get; set; }
    /// <summary>When the statement was made (the OpenVEX time series key).</summary>
    public DateTime Timestamp { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public string? Notes { get; set; }
    /// <summary>The imported document it came from; null when a person recorded it in Triage.</summary>
    public long? DocumentId { get; set; }
    /// <summary>The decision its author saw in force and replaced (optimistic concurrency, shown in history).</summary>
    public long? SupersedesId { get; set; }
    /// <summary>SHA-256 of vulnerability, scope and subcomponent: statements with the same slot form one time series.</summary>
    public required string SlotKey { get; set; }
    /// <summary>When Triage stored it (differs from <see cref="Timestamp"/> for imported statements).</summary>
    public DateTime RecordedAt { get; set; }
}

/// <summary>Every id a decision names (upper case), so the decisions about a finding's alias group are found by index.</summary>
public sealed class DecisionVulnerabilityId
{
    public long DecisionId { get; set; }
    public required string VulnKey { get; set; }
}

/// <summary>A reason to look at a decision again (new package version, KEV listing, contradicting evidence). Raised by
/// events; never changes the decision. A later decision in the same slot answers it.</summary>
public sealed class DecisionReview
{
    public long Id { get; set; }
    public long DecisionId { get; set; }
    public ReReviewReason Reason { get; set; }
    public required string Message { get; set; }
    public DateTime RaisedAt { get; set; }
}

/// <summary>An imported VEX document: who said it, the bytes as received, and what matching made of it.</summary>
public sealed class VexDocumentRecord
{
    public long Id { get; set; }
    public VexFormat Format { get; set; }
    public required string SpecVersion { get; set; }
    /// <summary>OpenVEX @id, CycloneDX serialNumber, CSAF tracking.id.</summary>
    public string? DocumentId { get; set; }
    /// <summary>The document's author, or "unknown author of …" when it names none: the key of per-author trust.</summary>
    public required string Author { get; set; }
    public string? Version { get; set; }
    public DateTime? Timestamp { get; set; }
    public string? Tooling { get; set; }
    /// <summary>Placeholder for the Sigstore work: unsigned until a signature is checked.</summary>
    public VexSignatureStatus Signature { get; set; }
    /// <summary>The author's trust when it was (last) matched.</summary>
    public VexTrust Trust { get; set; }
    public required string FileName { get; set; }
    /// <summary>Lower-case hex SHA-256 of the bytes as received; the same bytes are one document.</summary>
    public required string Sha256 { get; set; }
    public long SizeBytes { get; set; }
    /// <summary>The bytes, gzip-compressed.</summary>
    public required byte[] Content { get; set; }
    public int StatementCount { get; set; }
    public int MatchedCount { get; set; }
    public int UnmatchedCount { get; set; }
    public int RejectedCount { get; set; }
    public int DecisionCount { get; set; }
    public DateTime ImportedAt { get; set; }
    public DateTime LastMatchedAt { get; set; }
    public string? ImportedBy { get; set; }
}

public enum VexIssueKind
{
    /// <summary>A statement (or one of its products) that reached no finding.</summary>
    Unmatched = 0,
    /// <summary>A matched statement that breaks a VEX rule, so it is not a decision.</summary>
    Rejected = 1,
    /// <summary>A statement the reader could not take (unknown status, no vulnerability…).</summary>
    Skipped = 2,
}

/// <summary>What an imported document said that did not become a decision, with the reason: kept and listable.</summary>
public sealed class VexDocumentIssue
{
    public long Id { get; set; }
    public long DocumentId { get; set; }
    public VexIssueKind Kind { get; set; }
    public int? StatementIndex { get; set; }
    public required string Location { get; set; }
    public string? VulnerabilityId { get; set; }
    public string? Product { get; set; }
    /// <summary>Stable code: no_image_with_digest, not_affected_without_justification, unknown_status…</summary>
    public required string Code { get; set; }
    public required string Message { get; set; }
}

/// <summary>How far an author of imported VEX is believed (per-author trust, ADR 023).</summary>
public sealed class VexAuthor
{
    /// <summary>Lower-case trimmed author: authors compare case-insensitively.</summary>
    public required string AuthorKey { get; set; }
    public required string Name { get; set; }
    public VexTrust Trust { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>The last export of one scope in one format by one author, so the next export bumps the version only when
/// the content changed.</summary>
public sealed class VexExportRecord
{
    public long Id { get; set; }
    /// <summary>format|scope|author.</summary>
    public required string Key { get; set; }
    public VexFormat Format { get; set; }
    public required string Scope { get; set; }
    public required string Author { get; set; }
    public required string DocumentId { get; set; }
    public int Version { get; set; }
    public required string ContentHash { get; set; }
    public DateTime Timestamp { get; set; }
    /// <summary>[{"number","date","summary"}]: CSAF keeps every revision.</summary>
    public required string RevisionsJson { get; set; }
    public DateTime ExportedAt { get; set; }
}
