using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Queries;

namespace Triage.Data.Rollups;

/// <summary>Counts of active findings read from <see cref="FindingRollup"/> rows instead of the findings themselves
/// (docs/decisions/090-query-scale.md): a few thousand rows for any database size.</summary>
public static class FindingCounts
{
    /// <summary>The rollup rows of the artifacts <paramref name="visibleArtifacts"/> allows (null: all).</summary>
    public static IQueryable<FindingRollup> Visible(TriageDbContext db, IQueryable<long>? visibleArtifacts)
    {
        var q = db.FindingRollups.AsNoTracking();
        return visibleArtifacts is null ? q : q.Where(r => visibleArtifacts.Contains(r.ArtifactId));
    }

    /// <summary>Whether <see cref="TryCountAsync"/> can answer this filter: active findings, narrowed only by what a rollup
    /// row knows (artifact, severity, fix, scanner).</summary>
    public static bool CanAnswer(FindingFilter filter) =>
        !filter.IncludeInactive && string.IsNullOrWhiteSpace(filter.Package) && string.IsNullOrWhiteSpace(filter.Vulnerability)
        && filter.Priorities is not { Count: > 0 } && filter.Reachability is not { Count: > 0 }
        && (string.IsNullOrWhiteSpace(filter.Scanner) || ScannerKindNames.TryParse(filter.Scanner, out _));

    /// <summary>How many findings <see cref="FindingQueries.Filtered"/> would return for <paramref name="filter"/> among
    /// <paramref name="visibleArtifacts"/>; null when the rollup cannot say (<see cref="CanAnswer"/>).</summary>
    public static Task<int?> TryCountAsync(TriageDbContext db, FindingFilter filter, IQueryable<long>? visibleArtifacts, CancellationToken ct = default) =>
        TryCountAsync(Visible(db, visibleArtifacts), db, filter, ct);

    /// <summary>Of the findings <see cref="TryCountAsync(TriageDbContext, FindingFilter, IQueryable{long}?, CancellationToken)"/>
    /// counts, how many have an effective decision row (<see cref="DecidedFindingRollup"/>; rows that expired since the
    /// last sweep included: the caller corrects for those).</summary>
    public static Task<int?> TryCountDecidedAsync(TriageDbContext db, FindingFilter filter, IQueryable<long>? visibleArtifacts, CancellationToken ct = default)
    {
        var q = db.DecidedFindingRollups.AsNoTracking();
        if (visibleArtifacts is not null) q = q.Where(r => visibleArtifacts.Contains(r.ArtifactId));
        return TryCountAsync(q, db, filter, ct);
    }

    private static async Task<int?> TryCountAsync<T>(IQueryable<T> q, TriageDbContext db, FindingFilter filter, CancellationToken ct)
        where T : class, IArtifactCountRow
    {
        if (!CanAnswer(filter)) return null;
        if (FindingQueries.ArtifactScope(db, filter) is { } scope) q = q.Where(r => scope.Contains(r.ArtifactId));
        if (filter.MinSeverity is { } min) q = q.Where(r => r.Severity >= min);
        if (filter.Severities is { Count: > 0 } sevs) q = q.Where(r => sevs.Contains(r.Severity));
        if (filter.FixAvailable is { } fix) q = q.Where(r => r.FixAvailable == fix);
        if (!string.IsNullOrWhiteSpace(filter.Scanner) && ScannerKindNames.TryParse(filter.Scanner, out var kind))
        {
            var bit = kind.Bit();
            q = q.Where(r => (r.ScannerMask & bit) != 0);
        }
        return await q.SumAsync(r => r.Count, ct);
    }

    /// <summary>Active findings per severity among <paramref name="visibleArtifacts"/> (null: all).</summary>
    public static async Task<Dictionary<Severity, int>> BySeverityAsync(TriageDbContext db, IQueryable<long>? visibleArtifacts, bool fixableOnly = false,
        CancellationToken ct = default)
    {
        var q = Visible(db, visibleArtifacts);
        if (fixableOnly) q = q.Where(r => r.FixAvailable);
        var rows = await q.GroupBy(r => r.Severity).Select(g => new { g.Key, Count = g.Sum(r => r.Count) }).ToListAsync(ct);
        return rows.Where(r => r.Count > 0).ToDictionary(r => r.Key, r => r.Count);
    }
}

/// <summary>The shape <see cref="FindingRollup"/> and <see cref="DecidedFindingRollup"/> share, so one filter serves both.</summary>
public interface IArtifactCountRow
{
    long ArtifactId { get; }
    Severity Severity { get; }
    bool FixAvailable { get; }
    int ScannerMask { get; }
    int Count { get; }
}
