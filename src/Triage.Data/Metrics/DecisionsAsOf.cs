using Microsoft.EntityFrameworkCore;
using Triage.Core.Metrics;
using Triage.Core.Vex;
using Triage.Data.Vex;

namespace Triage.Data.Metrics;

/// <summary>
/// The VEX decision in force for a finding at a past moment: the statements Triage had recorded by then, resolved as the
/// findings list resolves them now (<see cref="VexResolver"/>: scope, then time; expired and untrusted ones never win).
/// Author trust is today's. Only findings of vulnerabilities some decision names are looked at; the others are undecided
/// without a lookup.
/// </summary>
public static class DecisionsAsOf
{
    /// <summary>The lookup, or null when no decision is stored (every finding undecided).</summary>
    public static async Task<DecisionLookup?> LoadAsync(TriageDbContext db, CancellationToken ct = default)
    {
        if (!await db.Decisions.AnyAsync(ct)) return null;
        var rows = await db.Decisions.AsNoTracking().ToListAsync(ct);
        var set = new StatementSet(await VexStatementQueries.ToStoredAsync(db, rows, ct), await VexStatementQueries.TrustPolicyAsync(db, ct));

        // The alias groups some decision speaks about, and their findings with what VEX needs of them.
        var keys = await db.DecisionVulnerabilityIds.AsNoTracking().Select(k => k.VulnKey).Distinct().ToListAsync(ct);
        var groups = await db.Vulnerabilities.AsNoTracking().Where(v => keys.Contains(v.VulnId.ToUpper())).Select(v => v.GroupId).Distinct().ToListAsync(ct);
        var refs = await VexFindingRefs.LoadAsync(db, db.Findings.AsNoTracking().Where(f => groups.Contains(f.GroupId)), ct);
        var byFinding = refs.ToDictionary(r => r.FindingId, r => (Ref: r, Statements: set.About(r.VulnerabilityIds)));
        var recordedAt = set.Stored.ToDictionary(s => s.Statement.Id, s => MetricsHistoryLoader.Utc(s.Row.RecordedAt));

        return (finding, asOf) =>
        {
            if (!byFinding.TryGetValue(finding.FindingId, out var f) || f.Statements.Count == 0) return null;
            var known = f.Statements.Where(s => recordedAt[s.Id] <= asOf).ToList();
            if (known.Count == 0) return null;
            return VexResolver.Resolve(f.Ref.ToVexFinding(), known, new DateTimeOffset(DateTime.SpecifyKind(asOf, DateTimeKind.Utc)), set.Trust).Effective?.Status;
        };
    }
}
