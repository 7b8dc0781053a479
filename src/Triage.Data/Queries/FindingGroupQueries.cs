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
        var ids = page.Select(p => p.GroupId).ToList();
        var canon = await db.AliasGroups.AsNoTracking().Where(g => ids.Contains(g.Id)).Select(g => new { g.Id, g.CanonicalId }).ToDictionaryAsync(g => g.Id, g => g.CanonicalId, ct);
        var titles = await db.Vulnerabilities.AsNoTracking().Where(v => ids.Contains(v.GroupId) && v.Title != null)
            .Select(v => new { v.GroupId, v.VulnId, v.Title }).ToListAsync(ct);
        var rows = page.Select(p =>
        {
            var id = canon.GetValueOrDefault(p.GroupId, "?");
            var title = titles.Where(t => t.GroupId == p.GroupId).OrderBy(t => t.VulnId == id ? 0 : 1).Select(t => t.Title).FirstOrDefault();
            return new FindingGroupRow(id, title, p.GroupId, null, p.Count, p.MaxSeverity, p.Images, p.Fixable);
        }).ToList();
        return (rows, total);
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
        var page = await groups.OrderByDescending(g => g.MaxSeverity).ThenByDescending(g => g.Count).ThenBy(g => g.Name)
            .Skip(skip).Take(take).ToListAsync(ct);
        return (page.Select(p => new FindingGroupRow(p.Name, p.Type, null, p.Type, p.Count, p.MaxSeverity, p.Images, p.Fixable)).ToList(), total);
    }
}

/// <summary>One group: a vulnerability (Key = canonical id, Detail = title) or a source package (Key = name, Detail = type).</summary>
public sealed record FindingGroupRow(string Key, string? Detail, long? GroupId, string? PackageType, int Findings, Severity MaxSeverity, int Images, int Fixable);
