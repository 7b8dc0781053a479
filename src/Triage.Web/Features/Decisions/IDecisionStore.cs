using Triage.Core.Domain;
using Triage.Data;

namespace Triage.Web.Features.Decisions;

/// <summary>
/// Where decisions on findings are recorded and read. Today <see cref="ProvisionalDecisionStore"/> keeps them in
/// Triage's own table; the VEX decision model replaces it behind this interface without touching the pages.
/// </summary>
public interface IDecisionStore
{
    /// <summary>Records a decision and makes it the finding's current one. Throws <see cref="ArgumentException"/> for an
    /// invalid decision (e.g. not_affected without a justification).</summary>
    Task<DecisionRecord> DecideAsync(DecisionRequest request, CancellationToken ct = default);

    /// <summary>The current decision of each finding that has one.</summary>
    Task<IReadOnlyDictionary<long, DecisionRecord>> CurrentAsync(IReadOnlyCollection<long> findingIds, CancellationToken ct = default);

    /// <summary>Every decision on a finding, newest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> HistoryAsync(long findingId, CancellationToken ct = default);

    /// <summary>Decisions made in a session, oldest first.</summary>
    Task<IReadOnlyList<DecisionRecord>> ForSessionAsync(long sessionId, CancellationToken ct = default);

    /// <summary>Decisions since a time (dashboard), newest first, limited to findings in <paramref name="visibleFindings"/> when given.</summary>
    Task<IReadOnlyList<DecisionRecord>> SinceAsync(DateTime since, Func<TriageDbContext, IQueryable<long>?>? visibleFindings, int limit, CancellationToken ct = default);

    /// <summary>Ids of findings whose current decision has this status (composable into findings queries).</summary>
    IQueryable<long> FindingsWithStatus(TriageDbContext db, DecisionStatus status);

    /// <summary>Ids of findings that have any current decision.</summary>
    IQueryable<long> DecidedFindings(TriageDbContext db);
}

public sealed record DecisionRequest(long FindingId, long? SessionId, DecisionStatus Status, string? Justification, string AuthorId, string AuthorName);

public sealed record DecisionRecord(long Id, long FindingId, long? SessionId, DecisionStatus Status, string? Justification,
    string AuthorId, string AuthorName, DateTime CreatedAt);

/// <summary>VEX "not_affected" justifications (OpenVEX / CISA minimum requirements), with what they mean.</summary>
public static class VexJustifications
{
    public static readonly IReadOnlyList<(string Value, string Label)> All =
    [
        ("component_not_present", "Component not present"),
        ("vulnerable_code_not_present", "Vulnerable code not present"),
        ("vulnerable_code_not_in_execute_path", "Vulnerable code not in execute path"),
        ("vulnerable_code_cannot_be_controlled_by_adversary", "Vulnerable code cannot be controlled by adversary"),
        ("inline_mitigations_already_exist", "Inline mitigations already exist"),
    ];
}
