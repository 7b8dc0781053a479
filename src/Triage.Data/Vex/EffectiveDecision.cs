using Triage.Core.Domain;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>
/// The decision in force for one finding, materialised (docs/decisions/025-effective-decisions.md): what
/// <see cref="VexResolver"/> picks from every trusted, unexpired statement that applies, kept as a row so the findings grid,
/// ranking and metrics can filter by status in SQL. Rewritten for the findings a change can reach: a decision recorded,
/// a VEX document imported, an author's trust or the signature policy changed, a report imported (new digests, merged
/// alias groups), a winner expired. A finding without a row is undecided.
/// </summary>
public sealed class EffectiveDecision
{
    public long FindingId { get; set; }
    public long DecisionId { get; set; }
    public VexStatus Status { get; set; }
    /// <summary>The OpenVEX justification, else the CycloneDX one, as its spec word.</summary>
    public string? Justification { get; set; }
    public DecisionScopeKind ScopeKind { get; set; }
    /// <summary>"user", or the imported document's format.</summary>
    public required string Source { get; set; }
    public required string Author { get; set; }
    /// <summary>The statement's timestamp.</summary>
    public DateTime DecidedAt { get; set; }
    /// <summary>The winner's expiry: past it the row no longer counts and the next sweep recomputes the finding.</summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime ComputedAt { get; set; }
}

/// <summary>Where a decision made in the web app came from: the finding it was made on, the live session, the signed-in
/// user's id (the statement's author is the person's name). Decisions from the CLI, the API or imports have no row.</summary>
public sealed class DecisionOrigin
{
    public long DecisionId { get; set; }
    public long? FindingId { get; set; }
    public long? SessionId { get; set; }
    public string? UserId { get; set; }
}
