using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>Findings grouped by vulnerability (alias group) or by source package, aggregated in SQL and paged.</summary>
public static class FindingGroupQueries
{
    public static async Task<(List<FindingGroupRow> Rows, int Total)> ByVulnerabilityAsync(TriageDbContext db, IQueryable<Finding> findings,
        int skip, int take, CancellationToken ct = default)
    {
        var groups = findings.GroupBy(f => f.GroupId).Select(g => new
        {
            GroupId = g.Key,
            Count = g.Count(),
            MaxSeverity = g.Max(f => f.Severity),
            Images = g.Select(f => f.ArtifactId).Distinct().Count(),
            Fixable = g.Count(f => f.FixAvailable),
        });
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderByDescending(g => g.MaxSeverity).ThenByDescending(g => g.Count).ThenBy(g => g.GroupId)
            .Skip(skip).Take(take).ToListAsync(ct);
        return (await NameVulnerabilitiesAsync(db, page.Select(p => new GroupCounts { GroupId = p.GroupId, Findings = p.Count, MaxSeverity = p.MaxSeverity, Images = p.Images, Fixable = p.Fixable }).ToList(), ct), total);
    }

    /// <summary>The same answer as <see cref="ByVulnerabilityAsync"/> for the open findings of <paramref name="artifacts"/>
    /// (null: every image), read from the rollups (docs/decisions/090-query-scale.md): every image from the sums along
    /// their order index, some images by adding up those images' parts.</summary>
    public static async Task<(List<FindingGroupRow> Rows, int Total)> ByVulnerabilityFromRollupsAsync(TriageDbContext db, IQueryable<long>? artifacts,
        int skip, int take, CancellationToken ct = default)
    {
        var groups = artifacts is null
            ? db.VulnerabilityRollups.AsNoTracking().Select(r => new GroupCounts { GroupId = r.GroupId, Findings = r.Findings, MaxSeverity = r.MaxSeverity, Images = r.Images, Fixable = r.Fixable })
            : db.VulnerabilityRollupParts.AsNoTracking().Where(p => artifacts.Contains(p.ArtifactId)).GroupBy(p => p.GroupId)
                .Select(g => new GroupCounts { GroupId = g.Key, Findings = g.Sum(p => p.Findings), MaxSeverity = g.Max(p => p.MaxSeverity), Images = g.Count(), Fixable = g.Sum(p => p.Fixable) });
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderByDescending(g => g.MaxSeverity).ThenByDescending(g => g.Findings).ThenBy(g => g.GroupId)
            .Skip(skip).Take(take).ToListAsync(ct);
        return (await NameVulnerabilitiesAsync(db, page, ct), total);
    }

    private sealed class GroupCounts
    {
        public long GroupId { get; init; }
        public int Findings { get; init; }
        public Severity MaxSeverity { get; init; }
        public int Images { get; init; }
        public int Fixable { get; init; }
    }

    private static async Task<List<FindingGroupRow>> NameVulnerabilitiesAsync(TriageDbContext db, List<GroupCounts> page, CancellationToken ct)
    {
        var ids = page.Select(p => p.GroupId).ToList();
        var canon = await db.AliasGroups.AsNoTracking().Where(g => ids.Contains(g.Id)).Select(g => new { g.Id, g.CanonicalId }).ToDictionaryAsync(g => g.Id, g => g.CanonicalId, ct);
        var titles = await db.Vulnerabilities.AsNoTracking().Where(v => ids.Contains(v.GroupId) && v.Title != null)
            .Select(v => new { v.GroupId, v.VulnId, v.Title }).ToListAsync(ct);
        return page.Select(p =>
        {
            var id = canon.GetValueOrDefault(p.GroupId, "?");
            var title = titles.Where(t => t.GroupId == p.GroupId).OrderBy(t => t.VulnId == id ? 0 : 1).Select(t => t.Title).FirstOrDefault();
            return new FindingGroupRow(id, title, p.GroupId, null, p.Findings, p.MaxSeverity, p.Images, p.Fixable);
        }).ToList();
    }

    public static async Task<(List<FindingGroupRow> Rows, int Total)> BySourcePackageAsync(TriageDbContext db, IQueryable<Finding> findings,
        int skip, int take, CancellationToken ct = default)
    {
        var groups = (from f in findings
                      join p in db.Packages on f.PackageId equals p.Id
                      group f by new { p.Type, Name = p.SourceName ?? p.Name } into g
                      select new
                      {
                          g.Key.Type,
                          g.Key.Name,
                          Count = g.Count(),
                          MaxSeverity = g.Max(f => f.Severity),
                          Images = g.Select(f => f.ArtifactId).Distinct().Count(),
                          Fixable = g.Count(f => f.FixAvailable),
                      });
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderByDescending(g => g.MaxSeverity).ThenByDescending(g => g.Count).ThenBy(g => g.Name).ThenBy(g => g.Type)
            .Skip(skip).Take(take).ToListAsync(ct);
        return (page.Select(p => new FindingGroupRow(p.Name, p.Type, null, p.Type, p.Count, p.MaxSeverity, p.Images, p.Fixable)).ToList(), total);
    }

    /// <summary>The same answer as <see cref="BySourcePackageAsync"/> for the open findings of <paramref name="artifacts"/>
    /// (null: every image), read from the rollups.</summary>
    public static async Task<(List<FindingGroupRow> Rows, int Total)> BySourcePackageFromRollupsAsync(TriageDbContext db, IQueryable<long>? artifacts,
        int skip, int take, CancellationToken ct = default)
    {
        var groups = artifacts is null
            ? db.SourcePackageRollups.AsNoTracking().Select(r => new PackageCounts { Type = r.PackageType, Name = r.SourceName, Findings = r.Findings, MaxSeverity = r.MaxSeverity, Images = r.Images, Fixable = r.Fixable })
            : db.SourcePackageRollupParts.AsNoTracking().Where(p => artifacts.Contains(p.ArtifactId)).GroupBy(p => new { p.PackageType, p.SourceName })
                .Select(g => new PackageCounts { Type = g.Key.PackageType, Name = g.Key.SourceName, Findings = g.Sum(p => p.Findings), MaxSeverity = g.Max(p => p.MaxSeverity), Images = g.Count(), Fixable = g.Sum(p => p.Fixable) });
        var total = await groups.CountAsync(ct);
        var page = await groups.OrderByDescending(g => g.MaxSeverity).ThenByDescending(g => g.Findings).ThenBy(g => g.Name).ThenBy(g => g.Type)
            .Skip(skip).Take(take).ToListAsync(ct);
        return (page.Select(p => new FindingGroupRow(p.Name, p.Type, null, p.Type, p.Findings, p.MaxSeverity, p.Images, p.Fixable)).ToList(), total);
    }

    private sealed class PackageCounts
    {
        public string Type { get; init; } = "";
        public string Name { get; init; } = "";
        public int Findings { get; init; }
        public Severity MaxSeverity { get; init; }
        public int Images { get; init; }
        public int Fixable { get; init; }
    }
}

/// <summary>One group: a vulnerability (Key = canonical id, Detail = title) or a source package (Key = name, Detail = type).</summary>
public sealed record FindingGroupRow(string Key, string? Detail, long? GroupId, string? PackageType, int Findings, Severity MaxSeverity, int Images, int Fixable);
