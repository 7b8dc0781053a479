using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Rollups;
using Triage.Core.Ranking;

namespace Triage.Data.Queries;

/// <summary>The dashboard's numbers. Each method takes the repositories the reader may see (null: all).</summary>
public static class DashboardQueries
{
    public static IQueryable<Finding> ActiveFindings(TriageDbContext db, IQueryable<long>? visibleRepositories)
    {
        var q = db.Findings.AsNoTracking().Where(f => f.Active);
        if (VisibleArtifacts(db, visibleRepositories) is { } artifacts) q = q.Where(f => artifacts.Contains(f.ArtifactId));
        return q;
    }

    private static IQueryable<long>? VisibleArtifacts(TriageDbContext db, IQueryable<long>? visibleRepositories) =>
        visibleRepositories is null ? null : db.Artifacts.Where(a => visibleRepositories.Contains(a.RepositoryId)).Select(a => a.Id);

    /// <summary>Open findings per severity, added up from the rollup rows (ADR 090), not counted.</summary>
    public static Task<Dictionary<Severity, int>> OpenBySeverityAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, CancellationToken ct = default) =>
        FindingCounts.BySeverityAsync(db, VisibleArtifacts(db, visibleRepositories), ct: ct);

    public static async Task<ImageCounts> ImageCountsAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, CancellationToken ct = default)
    {
        var repos = db.Repositories.AsNoTracking();
        if (visibleRepositories is not null) repos = repos.Where(r => visibleRepositories.Contains(r.Id));
        var repoCount = await repos.CountAsync(ct);
        var artifacts = db.Artifacts.AsNoTracking();
        if (visibleRepositories is not null) artifacts = artifacts.Where(a => visibleRepositories.Contains(a.RepositoryId));
        var artifactCount = await artifacts.CountAsync(ct);
        return new ImageCounts(repoCount, artifactCount);
    }

    /// <summary>Open findings by priority (the stored ranking); findings a VEX decision takes out of the ranking are not
    /// counted. Added up from the per-artifact rows (<see cref="PriorityRollup"/>, ADR 090), not counted.</summary>
    public static async Task<Dictionary<SsvcPriority, int>> OpenByPriorityAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, CancellationToken ct = default)
    {
        var q = db.PriorityRollups.AsNoTracking();
        if (VisibleArtifacts(db, visibleRepositories) is { } artifacts) q = q.Where(r => artifacts.Contains(r.ArtifactId));
        var rows = await q.GroupBy(r => r.Priority).Select(g => new { g.Key, Count = g.Sum(r => r.Count) }).ToListAsync(ct);
        return rows.Where(r => r.Count > 0).ToDictionary(r => r.Key, r => r.Count);
    }

    /// <summary>
    /// The vulnerabilities to act on first: open findings in the ranking's order (score, priority, KEV, EPSS, impact, as the
    /// findings grid sorts by priority), grouped by vulnerability, each with its best finding's priority and score and how many
    /// open images and findings it has. Walks the rank index from the top, so it reads a few dozen rows (an admin) or
    /// a few hundred (a team member), not the table.
    /// </summary>
    public static async Task<List<TopRisk>> TopRisksAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, int take, CancellationToken ct = default)
    {
        // The open finding is a semi-join (EXISTS), not a join: with a join SQLite's planner scanned every open finding by
        // its covering index and sorted them (0.7 s at 500,000 scored findings) instead of walking the rank index; with
        // EXISTS both SQLite and PostgreSQL walk `(RankKey DESC, FindingId)` and probe each finding by key.
        var active = ActiveFindings(db, visibleRepositories);
        var ranked = from r in db.FindingRisks.AsNoTracking()
                     where !r.Excluded && active.Any(f => f.Id == r.FindingId)
                     orderby r.RankKey descending, r.FindingId
                     select new { r.FindingId, r.ScoreTenths, r.Priority };
        // The first rows usually name `take` groups already. A team member sees a fraction of the findings, so every row
        // of the window costs the walk 1/fraction index entries (a 500-row window walked ~10,000 at 500,000 findings, half a
        // second): start small and widen only while the window came back full with too few groups.
        List<RankedFinding> top;
        for (var window = Math.Max(4 * take, 32); ; window *= 4)
        {
            var best = await ranked.Take(window).ToListAsync(ct);
            var ids0 = best.Select(b => b.FindingId).ToList();
            var findings = await db.Findings.AsNoTracking().Where(f => ids0.Contains(f.Id))
                .Select(f => new { f.Id, f.GroupId, f.Severity }).ToDictionaryAsync(f => f.Id, ct);
            top = best.Where(b => findings.ContainsKey(b.FindingId))
                .Select(b => new RankedFinding(b.FindingId, findings[b.FindingId].GroupId, findings[b.FindingId].Severity, b.ScoreTenths, b.Priority))
                .GroupBy(x => x.GroupId).Select(g => g.First()).Take(take).ToList();
            if (top.Count >= take || best.Count < window) break;
        }
        if (top.Count == 0) return [];
        var ids = top.Select(t => t.GroupId).ToList();
        var counts = await (from f in ActiveFindings(db, visibleRepositories)
                            where ids.Contains(f.GroupId) && !db.FindingRisks.Any(r => r.FindingId == f.Id && r.Excluded)
                            group f by f.GroupId into g
                            select new { GroupId = g.Key, Images = g.Select(f => f.ArtifactId).Distinct().Count(), Findings = g.Count() })
            .ToDictionaryAsync(x => x.GroupId, ct);
        var canon = await db.AliasGroups.AsNoTracking().Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.CanonicalId, ct);
        var titles = await db.Vulnerabilities.AsNoTracking().Where(v => ids.Contains(v.GroupId) && v.Title != null)
            .Select(v => new { v.GroupId, v.Title }).ToListAsync(ct);
        return top.Select(t =>
        {
            var c = counts.GetValueOrDefault(t.GroupId);
            return new TopRisk(canon.GetValueOrDefault(t.GroupId, "?"), titles.FirstOrDefault(x => x.GroupId == t.GroupId)?.Title, t.Severity,
                c?.Images ?? 1, c?.Findings ?? 1, t.Id, t.Priority, t.ScoreTenths / 10m);
        }).ToList();
    }

    private sealed record RankedFinding(long Id, long GroupId, Severity Severity, int ScoreTenths, SsvcPriority Priority);

    public static async Task<List<LatestImport>> LatestImportsAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, int take, CancellationToken ct = default)
    {
        var q = from s in db.Scans.AsNoTracking()
                join a in db.Artifacts on s.ArtifactId equals a.Id
                join r in db.Repositories on a.RepositoryId equals r.Id
                select new { s, a, r };
        if (visibleRepositories is not null) q = q.Where(x => visibleRepositories.Contains(x.r.Id));
        var rows = await q.OrderByDescending(x => x.s.ImportedAt).ThenByDescending(x => x.s.Id).Take(take)
            .Select(x => new { ScanId = x.s.Id, x.s.Scanner, x.s.ImportedAt, x.s.FindingCount, x.s.NewFindingCount, x.s.ImportedBy, ArtifactId = x.a.Id, Repo = x.r.Name, x.a.Tags, x.a.Digest })
            .ToListAsync(ct);
        return rows.Select(x => new LatestImport(x.ScanId, x.Scanner, DateTime.SpecifyKind(x.ImportedAt, DateTimeKind.Utc), x.FindingCount, x.NewFindingCount,
            x.ImportedBy, x.ArtifactId, ImageQueries.DisplayName(x.Repo, x.Tags, x.Digest))).ToList();
    }
}

public sealed record ImageCounts(int Repositories, int Images);

/// <summary>One vulnerability of the dashboard's top risks, with the priority and score of its highest-ranked open finding.</summary>
public sealed record TopRisk(string VulnerabilityId, string? Title, Severity Severity, int Images, int Findings, long ExampleFindingId, SsvcPriority Priority, decimal Score);

public sealed record LatestImport(long ScanId, string Scanner, DateTime ImportedAt, int Findings, int NewFindings, string? ImportedBy, long ArtifactId, string Image);
