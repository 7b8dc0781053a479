using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Data.Rollups;

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

    /// <summary>The worst fixable problems: vulnerabilities at the highest severity present with a fix, by how many images they hit.</summary>
    public static async Task<List<TopRisk>> TopRisksAsync(TriageDbContext db, IQueryable<long>? visibleRepositories, int take, CancellationToken ct = default)
    {
        var active = ActiveFindings(db, visibleRepositories).Where(f => f.FixAvailable);
        // Highest severity first; only the top severity level present is aggregated, which keeps the grouping small. The
        // level comes from the rollup; the grouping walks the (Active, GroupId, Severity, FixAvailable, ArtifactId) index.
        var fixable = await FindingCounts.BySeverityAsync(db, VisibleArtifacts(db, visibleRepositories), fixableOnly: true, ct);
        Severity? top = fixable.Count == 0 ? null : fixable.Keys.Max();
        if (top is null) return [];
        var rows = await active.Where(f => f.Severity == top.Value)
            .GroupBy(f => f.GroupId)
            .Select(g => new { GroupId = g.Key, Images = g.Select(f => f.ArtifactId).Distinct().Count(), Findings = g.Count(), AnyFinding = g.Min(f => f.Id) })
            .OrderByDescending(g => g.Images).ThenByDescending(g => g.Findings).ThenBy(g => g.GroupId)
            .Take(take).ToListAsync(ct);
        var ids = rows.Select(r => r.GroupId).ToList();
        var canon = await db.AliasGroups.AsNoTracking().Where(g => ids.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.CanonicalId, ct);
        var titles = await db.Vulnerabilities.AsNoTracking().Where(v => ids.Contains(v.GroupId) && v.Title != null)
            .Select(v => new { v.GroupId, v.Title }).ToListAsync(ct);
        return rows.Select(r => new TopRisk(canon.GetValueOrDefault(r.GroupId, "?"), titles.FirstOrDefault(t => t.GroupId == r.GroupId)?.Title,
            top.Value, r.Images, r.Findings, r.AnyFinding)).ToList();
    }

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

public sealed record TopRisk(string VulnerabilityId, string? Title, Severity Severity, int Images, int Findings, long ExampleFindingId);

public sealed record LatestImport(long ScanId, string Scanner, DateTime ImportedAt, int Findings, int NewFindings, string? ImportedBy, long ArtifactId, string Image);
