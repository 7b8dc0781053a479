using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
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

        // The findings some decision can reach: of an alias group a decision speaks about, in an image its scope covers (a
        // superset: the resolver still decides). A year of history has far more findings than decided ones.
        var keys = await db.DecisionVulnerabilityIds.AsNoTracking().Select(k => new { k.DecisionId, k.VulnKey }).ToListAsync(ct);
        var distinctKeys = keys.Select(k => k.VulnKey).Distinct().ToList();
        var groupsOfKey = (await db.Vulnerabilities.AsNoTracking().Where(v => distinctKeys.Contains(v.VulnId.ToUpper()))
                .Select(v => new { Key = v.VulnId.ToUpper(), v.GroupId }).ToListAsync(ct))
            .ToLookup(v => v.Key, v => v.GroupId, StringComparer.Ordinal);
        var images = await (from a in db.Artifacts.AsNoTracking()
                            join r in db.Repositories.AsNoTracking() on a.RepositoryId equals r.Id
                            select new ScopedImage(a.Id, a.Digest, r.Name, r.TeamId)).ToListAsync(ct);
        var byId = rows.ToDictionary(d => d.Id);
        var reach = new Dictionary<long, HashSet<long>?>(); // group → images some decision about it covers (null: every image)
        var coveredBy = new Dictionary<long, List<long>?>();
        foreach (var k in keys)
        {
            if (!byId.TryGetValue(k.DecisionId, out var decision)) continue;
            if (!coveredBy.TryGetValue(decision.Id, out var covered)) coveredBy[decision.Id] = covered = Covered(decision, images)?.ToList();
            foreach (var group in groupsOfKey[k.VulnKey])
            {
                var known = reach.TryGetValue(group, out var reached);
                if (known && reached is null) continue;
                if (covered is null) reach[group] = null;
                else if (!known) reach[group] = [.. covered];
                else reached!.UnionWith(covered);
            }
        }
        var groups = reach.Keys.ToList();
        var candidates = new List<long>();
        foreach (var chunk in groups.Chunk(2000))
            candidates.AddRange((await db.Findings.AsNoTracking().Where(f => chunk.Contains(f.GroupId)).Select(f => new { f.Id, f.ArtifactId, f.GroupId }).ToListAsync(ct))
                .Where(f => reach[f.GroupId] is not { } reached || reached.Contains(f.ArtifactId)).Select(f => f.Id));
        var refs = await VexFindingRefs.LoadAsync(db, candidates, ct);
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

    private sealed record ScopedImage(long Id, string? Digest, string Repository, long? TeamId);

    /// <summary>The images a decision's scope can cover (null: all of them), generously: names compare without case.</summary>
    private static IEnumerable<long>? Covered(Decision d, List<ScopedImage> images) => d.ScopeKind switch
    {
        DecisionScopeKind.Team => images.Where(i => i.TeamId is { } t && DecisionRows.TeamKey(t) == d.ScopeTeam).Select(i => i.Id),
        DecisionScopeKind.Repository => images.Where(i => string.Equals(i.Repository, d.ScopeRepository, StringComparison.OrdinalIgnoreCase)).Select(i => i.Id),
        DecisionScopeKind.Digest => images.Where(i => string.Equals(i.Digest, d.ScopeDigest, StringComparison.OrdinalIgnoreCase)).Select(i => i.Id),
        _ => null,
    };
}
