using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>
/// Keeps <see cref="EffectiveDecision"/> rows true (docs/decisions/025-effective-decisions.md) and reads them as composable
/// queries. Every recompute resolves the named findings with <see cref="VexResolver"/> (the one rule) and rewrites their
/// rows; callers pass the findings a change can reach, never the whole table, except for a policy change.
/// </summary>
public static class EffectiveDecisions
{
    private const int Chunk = 2000;

    /// <summary>Plain SQL: whether any decision exists, so an import into a database without decisions never builds the EF model.</summary>
    internal const string AnyDecisionProbeSql = "SELECT 1 FROM \"Decisions\" LIMIT 1";

    // ----------------------------------------------------------------------------------------------------------------
    // Reading

    /// <summary>Rows that count at <paramref name="now"/> (an expired winner stops counting before the sweep replaces it).</summary>
    public static IQueryable<EffectiveDecision> Current(TriageDbContext db, DateTime now) =>
        db.EffectiveDecisions.Where(e => e.ExpiresAt == null || e.ExpiresAt > now);

    /// <summary>Ids of findings whose decision in force has this status.</summary>
    public static IQueryable<long> WithStatus(TriageDbContext db, VexStatus status, DateTime now) =>
        Current(db, now).Where(e => e.Status == status).Select(e => e.FindingId);

    /// <summary>Ids of findings with any decision in force.</summary>
    public static IQueryable<long> Decided(TriageDbContext db, DateTime now) => Current(db, now).Select(e => e.FindingId);

    /// <summary>Ids of findings that drop out of ranking and counts: not_affected or fixed.</summary>
    public static IQueryable<long> Suppressed(TriageDbContext db, DateTime now) =>
        Current(db, now).Where(e => e.Status == VexStatus.NotAffected || e.Status == VexStatus.Fixed).Select(e => e.FindingId);

    // ----------------------------------------------------------------------------------------------------------------
    // Recomputing

    /// <summary>Resolves these findings now and rewrites their rows (inside the caller's transaction). Returns how many
    /// findings have a decision in force afterwards.</summary>
    public static Task<int> RecomputeAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, DateTimeOffset now, CancellationToken ct = default) =>
        RecomputeAsync(db, findingIds, now, DecisionWritePath.Auto, ct);

    internal static async Task<int> RecomputeAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, DateTimeOffset now, DecisionWritePath path,
        CancellationToken ct, IReadOnlySet<long>? scoredByCaller = null)
    {
        if (findingIds.Count == 0) return 0;
        var decided = 0;
        var computedAt = DecisionRows.Utc(now);
        var statusChanged = new List<long>();
        foreach (var chunk in findingIds.Distinct().Chunk(Chunk))
        {
            var ids0 = chunk.ToList();
            var before = (await db.EffectiveDecisions.AsNoTracking().Where(e => ids0.Contains(e.FindingId))
                .Select(e => new { e.FindingId, e.Status }).ToListAsync(ct)).ToDictionary(e => e.FindingId, e => e.Status);
            var refs = await VexFindingRefs.LoadAsync(db, chunk, ct);
            var set = await VexStatementQueries.CandidatesAsync(db, refs, ct);
            var rows = new List<EffectiveDecision>();
            foreach (var f in refs)
            {
                if (set.Resolve(f, now).Effective is not { } winner) continue;
                var stored = set.ById[winner.Id];
                var vex = stored.ToFindingVex();
                rows.Add(new EffectiveDecision
                {
                    FindingId = f.FindingId,
                    DecisionId = stored.Row.Id,
                    Status = vex.Status,
                    Justification = vex.Justification,
                    ScopeKind = vex.Scope,
                    Source = vex.Source,
                    Author = vex.Author,
                    DecidedAt = DecisionRows.Utc(vex.Timestamp),
                    ExpiresAt = stored.Row.ExpiresAt,
                    ComputedAt = computedAt,
                });
            }
            var ids = chunk.ToList();
            await db.EffectiveDecisions.Where(e => ids.Contains(e.FindingId)).ExecuteDeleteAsync(ct);
            await DecisionRowWriter.For(db, path, rows.Count).AddAsync(rows, ct);
            // The counts of decided open findings per artifact follow (ADR 090): "open and undecided" is read from them.
            await Rollups.FindingKeys.RefreshDecidedAsync(db, ids, ct);
            decided += rows.Count;
            var after = rows.ToDictionary(r => r.FindingId, r => r.Status);
            foreach (var id in ids)
                if ((before.TryGetValue(id, out var was) != after.TryGetValue(id, out var status) || was != status) && scoredByCaller?.Contains(id) != true)
                    statusChanged.Add(id);
        }
        // A status that changed changes the score (not_affected and fixed leave the ranking): stored scores, priorities and
        // top risks follow in the same transaction instead of at the next rescore.
        await Runtime.DecisionRescoring.RescoreAsync(db, statusChanged, computedAt, ct);
        return decided;
    }

    /// <summary>Findings these statements can reach: those of their vulnerabilities' alias groups (any id or alias), in the
    /// images their scopes cover. Inactive findings included: their history shows a status too.</summary>
    public static async Task<List<long>> ReachAsync(TriageDbContext db, IReadOnlyCollection<VexStatement> statements, CancellationToken ct = default)
    {
        if (statements.Count == 0) return [];
        var ids = statements.SelectMany(s => s.Vulnerability.AllIds).Select(VulnerabilityIds.Normalize).Distinct(StringComparer.Ordinal).ToList();
        var groups = new HashSet<long>();
        foreach (var chunk in ids.Chunk(Chunk))
            groups.UnionWith(await db.Vulnerabilities.AsNoTracking().Where(v => chunk.Contains(v.VulnId)).Select(v => v.GroupId).ToListAsync(ct));
        // Case-insensitive fallback for ids stored with another spelling.
        if (groups.Count == 0)
        {
            var upper = ids.Select(i => i.ToUpperInvariant()).ToList();
            groups.UnionWith(await db.Vulnerabilities.AsNoTracking().Where(v => upper.Contains(v.VulnId.ToUpper())).Select(v => v.GroupId).ToListAsync(ct));
        }
        if (groups.Count == 0) return [];

        // Restrict to the scopes' images unless one statement is global.
        List<long>? artifacts = null;
        if (statements.All(s => s.Scope is not VexScope.Global))
        {
            var repos = statements.Select(s => s.Scope switch
            {
                VexScope.Digest d => d.RepositoryName,
                VexScope.Repository r => r.Name,
                _ => null,
            }).OfType<string>().Distinct().ToList();
            var teams = statements.Select(s => s.Scope is VexScope.Team t && long.TryParse(t.Id, out var id) ? id : (long?)null).OfType<long>().Distinct().ToList();
            artifacts = await (
                from a in db.Artifacts.AsNoTracking()
                join r in db.Repositories.AsNoTracking() on a.RepositoryId equals r.Id
                where repos.Contains(r.Name) || (r.TeamId != null && teams.Contains(r.TeamId.Value))
                select a.Id).ToListAsync(ct);
        }
        var result = new List<long>();
        foreach (var chunk in groups.Chunk(Chunk))
        {
            var q = db.Findings.AsNoTracking().Where(f => chunk.Contains(f.GroupId));
            if (artifacts is not null) q = q.Where(f => artifacts.Contains(f.ArtifactId));
            result.AddRange(await q.Select(f => f.Id).ToListAsync(ct));
        }
        return result;
    }

    /// <summary>After a report import: every finding of the imported artifacts (a repository, team or global decision
    /// reaches a new digest), and every finding of their alias groups that some decision names (the import may have merged
    /// groups, so a decision on an alias now reaches findings in other images). Opens its own transaction.</summary>
    public static Task<int> RecomputeForArtifactsAsync(string connectionString, IEnumerable<long> artifactIds, TimeProvider? time = null,
        CancellationToken ct = default) =>
        RecomputeForArtifactsAsync(connectionString, artifactIds, time, rescoreArtifacts: true, ct);

    /// <summary>The same after a report import whose caller scores the imported artifacts next (the import's risk refresh,
    /// <see cref="Runtime.FindingRiskService.AfterImportAsync"/>): only findings of other images whose status changed (a
    /// merged alias group) are scored here, so no finding is scored twice.</summary>
    internal static Task<int> RecomputeAfterImportAsync(string connectionString, IEnumerable<long> artifactIds, CancellationToken ct) =>
        RecomputeForArtifactsAsync(connectionString, artifactIds, null, rescoreArtifacts: false, ct);

    private static async Task<int> RecomputeForArtifactsAsync(string connectionString, IEnumerable<long> artifactIds, TimeProvider? time,
        bool rescoreArtifacts, CancellationToken ct)
    {
        var artifacts = artifactIds.Distinct().ToList();
        if (artifacts.Count == 0) return 0;
        await using var db = TriageDatabase.CreateContext(connectionString);
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        var findings = new HashSet<long>();
        var groups = new HashSet<long>();
        foreach (var chunk in artifacts.Chunk(Chunk))
        {
            var rows = await db.Findings.AsNoTracking().Where(f => chunk.Contains(f.ArtifactId)).Select(f => new { f.Id, f.GroupId }).ToListAsync(ct);
            findings.UnionWith(rows.Select(r => r.Id));
            groups.UnionWith(rows.Select(r => r.GroupId));
        }
        var decidedGroups = new HashSet<long>();
        foreach (var chunk in groups.Chunk(Chunk))
            decidedGroups.UnionWith(await (
                from v in db.Vulnerabilities.AsNoTracking()
                where chunk.Contains(v.GroupId)
                join k in db.DecisionVulnerabilityIds.AsNoTracking() on v.VulnId.ToUpper() equals k.VulnKey
                select v.GroupId).Distinct().ToListAsync(ct));
        var ofArtifacts = rescoreArtifacts ? null : findings.ToHashSet();
        foreach (var chunk in decidedGroups.Chunk(Chunk))
            findings.UnionWith(await db.Findings.AsNoTracking().Where(f => chunk.Contains(f.GroupId)).Select(f => f.Id).ToListAsync(ct));
        var n = await RecomputeAsync(db, findings, (time ?? TimeProvider.System).GetUtcNow(), DecisionWritePath.Auto, ct, ofArtifacts);
        await tx.CommitAsync(ct);
        return n;
    }

    /// <summary>After repositories changed team: every finding of their images (team decisions reach them, or stop to).</summary>
    public static async Task<int> RecomputeForRepositoriesAsync(string connectionString, IEnumerable<long> repositoryIds, TimeProvider? time = null,
        CancellationToken ct = default)
    {
        var repos = repositoryIds.Distinct().ToList();
        if (repos.Count == 0) return 0;
        List<long> artifacts;
        await using (var db = TriageDatabase.CreateContext(connectionString))
        {
            if (!await db.Decisions.AnyAsync(ct)) return 0;
            artifacts = await db.Artifacts.AsNoTracking().Where(a => repos.Contains(a.RepositoryId)).Select(a => a.Id).ToListAsync(ct);
        }
        return await RecomputeForArtifactsAsync(connectionString, artifacts, time, ct);
    }

    /// <summary>Findings whose winner expired: resolved again (another statement may govern now). The web app sweeps
    /// every few minutes; reads ignore expired rows meanwhile.</summary>
    public static async Task<int> RecomputeExpiredAsync(string connectionString, TimeProvider? time = null, CancellationToken ct = default)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var nowUtc = DecisionRows.Utc(now);
        await using var db = TriageDatabase.CreateContext(connectionString);
        var expired = await db.EffectiveDecisions.AsNoTracking().Where(e => e.ExpiresAt != null && e.ExpiresAt <= nowUtc).Select(e => e.FindingId).ToListAsync(ct);
        if (expired.Count == 0) return 0;
        await using var tx = await DecisionWriteLock.BeginAsync(db, ct);
        await RecomputeAsync(db, expired, now, ct);
        await tx.CommitAsync(ct);
        return expired.Count;
    }

    /// <summary>Every finding that any decision can reach, and every finding with a row (after a trust-policy change),
    /// inside the caller's transaction.</summary>
    public static async Task<int> RecomputeAllAsync(TriageDbContext db, DateTimeOffset now, CancellationToken ct = default)
    {
        var statements = (await VexStatementQueries.ToStoredAsync(db, await db.Decisions.AsNoTracking().ToListAsync(ct), ct)).Select(s => s.Statement).ToList();
        var reach = await ReachAsync(db, statements, ct);
        var stale = await db.EffectiveDecisions.AsNoTracking().Select(e => e.FindingId).ToListAsync(ct);
        return await RecomputeAsync(db, reach.Concat(stale).Distinct().ToList(), now, ct);
    }

    /// <summary>Findings the decisions of imported documents by this author can reach (after the author's trust changed).</summary>
    public static async Task<List<long>> ReachOfAuthorAsync(TriageDbContext db, string author, CancellationToken ct = default)
    {
        var key = author.Trim().ToLowerInvariant();
        var documents = await db.VexDocuments.AsNoTracking().Where(d => d.Author.ToLower() == key).Select(d => d.Id).ToListAsync(ct);
        if (documents.Count == 0) return [];
        var rows = await db.Decisions.AsNoTracking().Where(d => d.DocumentId != null && documents.Contains(d.DocumentId.Value)).ToListAsync(ct);
        var statements = (await VexStatementQueries.ToStoredAsync(db, rows, ct)).Select(s => s.Statement).ToList();
        return await ReachAsync(db, statements, ct);
    }

    /// <summary>Findings the decisions of one imported document can reach (after its signature status changed).</summary>
    public static async Task<List<long>> ReachOfDocumentAsync(TriageDbContext db, long documentId, CancellationToken ct = default)
    {
        var rows = await db.Decisions.AsNoTracking().Where(d => d.DocumentId == documentId).ToListAsync(ct);
        var statements = (await VexStatementQueries.ToStoredAsync(db, rows, ct)).Select(s => s.Statement).ToList();
        return await ReachAsync(db, statements, ct);
    }
}
