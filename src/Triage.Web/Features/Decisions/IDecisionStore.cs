using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Vex;

namespace Triage.Web.Features.Decisions;

/// <summary>
/// Where the pages record and read decisions on findings: VEX decisions (<see cref="VexDecisionStore"/> over
/// <see cref="DecisionService"/>), read back from the materialised decision in force per finding
/// (docs/decisions/025-effective-decisions.md).
/// </summary>
public interface IDecisionStore
{
    /// <summary>Records a decision. Throws <see cref="ArgumentException"/> for a decision VEX refuses, a target Triage
    /// cannot find or one the author may not decide on (another team's image, everywhere for a non-admin), and <see cref="DecisionConflictException"/> when a finding in <see cref="FindingDecision.Seen"/> was
    /// decided meanwhile (the exception carries the other decision).</summary>
    Task<DecisionRecord> DecideAsync(FindingDecision request, CancellationToken ct = default);

    /// <summary>What <paramref name="request"/> would record and which findings it reaches; writes nothing.</summary>
    Task<DecisionOutcome> PreviewAsync(FindingDecision request, CancellationToken ct = default);

    /// <summary>The decision in force of each finding that has one.</summary>
    Task<IReadOnlyDictionary<long, DecisionRecord>> CurrentAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default);

    /// <summary>Every decision that applies to a finding, newest first (<see cref="DecisionRecord.InForce"/> marks the one in force).</summary>
    Task<IReadOnlyList<DecisionRecord>> HistoryAsync(long findingId, CancellationToken ct = default);

    /// <summary>Decisions made in a session, oldest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> ForSessionAsync(long sessionId, CancellationToken ct = default);

    /// <summary>Decisions since a time (dashboard), newest first, limited to findings in <paramref name="visibleFindings"/> when given.</summary>
    Task<IReadOnlyList<DecisionRecord>> SinceAsync(DateTime since, Func<TriageDbContext, IQueryable<long>?>? visibleFindings, int limit, CancellationToken ct = default);

    /// <summary>Ids of findings whose decision in force has this status (composable into findings queries).</summary>
    IQueryable<long> FindingsWithStatus(TriageDbContext db, DecisionStatus status);

    /// <summary>Ids of findings that have any decision in force.</summary>
    IQueryable<long> DecidedFindings(TriageDbContext db);
}

/// <summary>A decision as a person makes it in the app: on selected findings (scope chosen from each), or on one vulnerability
/// across a team's images (<see cref="Vulnerability"/> with <see cref="Team"/>).</summary>
public sealed record FindingDecision
{
    public required IReadOnlyList<long> FindingIds { get; init; }
    public long? SessionId { get; init; }
    public required DecisionStatus Status { get; init; }
    /// <summary>How far the decision reaches from each finding: its digest, its repository (follows the image), its team, everywhere.</summary>
    public DecisionScopeKind Scope { get; init; } = DecisionScopeKind.Digest;
    public VexJustification? Justification { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Notes { get; init; }
    /// <summary>With <see cref="Team"/>: the vulnerability to decide on in every image of the team, any package.</summary>
    public string? Vulnerability { get; init; }
    public string? Team { get; init; }
    public required string AuthorId { get; init; }
    public required string AuthorName { get; init; }
    /// <summary>The images the author may decide on (<see cref="Infrastructure.Access.UserAccess.Images"/>; null for an admin).
    /// Required so that no page records a decision without saying whose it is: the service refuses another team's image and,
    /// for anyone but an admin, the everywhere scope.</summary>
    public required Triage.Data.Queries.ImageVisibility? AuthorSees { get; init; }
    /// <summary>Finding → the decision id its author saw in force (null: undecided); a change since is a conflict.</summary>
    public IReadOnlyDictionary<long, long?>? Seen { get; init; }
}

/// <summary>A decision as the pages show it: for one finding, with the VEX fields.</summary>
public sealed record DecisionRecord(long Id, long FindingId, long? SessionId, DecisionStatus Status, string? Justification,
    string AuthorId, string AuthorName, DateTime CreatedAt)
{
    /// <summary>The statement's vulnerability id (what it is about, also when it names no single finding).</summary>
    public string? Vulnerability { get; init; }
    /// <summary>The statement's package (a purl), when it names one.</summary>
    public string? Package { get; init; }
    public string? ScopeText { get; init; }
    public DecisionScopeKind? Scope { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public string? Notes { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>"user", or the imported document's format.</summary>
    public string Source { get; init; } = "user";
    /// <summary>In force for the finding (history lists the others too).</summary>
    public bool InForce { get; init; } = true;
    /// <summary>Why it is not in force (history).</summary>
    public string? NotInForceReason { get; init; }
    /// <summary>"CVE-… in package" (the package as the findings list names it), or the vulnerability alone.</summary>
    public string? Subject => Vulnerability is null ? null
        : Triage.Core.Identity.Purl.TryParse(Package, out var p) && p is not null
            ? $"{Vulnerability} in {Triage.Data.Queries.FindingQueries.DisplayName(p.Type, p.Namespace, p.Name)}"
            : Vulnerability;

    /// <summary>"component_not_present: the note" — what a summary line shows.</summary>
    public string? Why => DecisionInput.Combine(Justification, ImpactStatement ?? Notes);
}

/// <summary>VEX "not_affected" justifications (OpenVEX / CISA minimum requirements), with what they mean.</summary>
public static class VexJustifications
{
    public static readonly IReadOnlyList<(VexJustification Value, string Label)> All =
    [
        (VexJustification.ComponentNotPresent, "Component not present"),
        (VexJustification.VulnerableCodeNotPresent, "Vulnerable code not present"),
        (VexJustification.VulnerableCodeNotInExecutePath, "Vulnerable code not in execute path"),
        (VexJustification.VulnerableCodeCannotBeControlledByAdversary, "Vulnerable code cannot be controlled by adversary"),
        (VexJustification.InlineMitigationsAlreadyExist, "Inline mitigations already exist"),
    ];

    public static string Label(VexJustification j) => All.First(x => x.Value == j).Label;
}

/// <summary>The app's four statuses are VEX's.</summary>
public static class DecisionStatusVex
{
    public static VexStatus ToVex(this DecisionStatus s) => s switch
    {
        DecisionStatus.NotAffected => VexStatus.NotAffected,
        DecisionStatus.Affected => VexStatus.Affected,
        DecisionStatus.Fixed => VexStatus.Fixed,
        _ => VexStatus.UnderInvestigation,
    };

    public static DecisionStatus ToDecisionStatus(this VexStatus s) => s switch
    {
        VexStatus.NotAffected => DecisionStatus.NotAffected,
        VexStatus.Affected => DecisionStatus.Affected,
        VexStatus.Fixed => DecisionStatus.Fixed,
        _ => DecisionStatus.UnderInvestigation,
    };

    public static string ScopeLabel(this DecisionScopeKind k) => k switch
    {
        DecisionScopeKind.Digest => "This digest",
        DecisionScopeKind.Repository => "This repository (follows the image)",
        DecisionScopeKind.Team => "The team's images",
        _ => "Everywhere",
    };
}
