using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>Views for people: findings grouped by source package (one openssl row for libssl3, openssl and libssl-dev),
/// by vulnerability across images, or by image layer. Counting happens in SQL; members are fetched for the groups shown.</summary>
public static class GroupingQueries
{
    public enum GroupBy
    {
        SourcePackage,
        Vulnerability,
        Layer,
    }

    public sealed record FindingGroup(string Key, int Findings, int Images, Severity MaxSeverity, int Fixable, IReadOnlyList<string> Members);

    public static async Task<List<FindingGroup>> GroupAsync(TriageDbContext db, FindingFilter filter, GroupBy by, int take = 200, CancellationToken ct = default)
    {
        var findings = FindingQueries.Filtered(db, filter);
        List<(string Key, int Findings, int Images, Severity Max, int Fixable)> groups;
        switch (by)
        {
            case GroupBy.SourcePackage:
            {
                var q = from f in findings
                        join p in db.Packages on f.PackageId equals p.Id
                        group f by p.SourceName ?? (p.Namespace == null ? p.Name : p.Type == "maven" ? p.Namespace + ":" + p.Name : p.Namespace + "/" + p.Name) into g
                        select new { g.Key, Findings = g.Count(), Images = g.Select(x => x.ArtifactId).Distinct().Count(), Max = g.Max(x => x.Severity), Fixable = g.Count(x => x.FixAvailable) };
                groups = (await q.OrderByDescending(x => x.Max).ThenByDescending(x => x.Findings).ThenBy(x => x.Key).Take(take).ToListAsync(ct))
                    .Select(x => (x.Key, x.Findings, x.Images, x.Max, x.Fixable)).ToList();
                var keys = groups.Select(g => g.Key).ToList();
                var members = await (from f in findings
                                     join p in db.Packages on f.PackageId equals p.Id
                                     let key = p.SourceName ?? (p.Namespace == null ? p.Name : p.Type == "maven" ? p.Namespace + ":" + p.Name : p.Namespace + "/" + p.Name)
                                     where keys.Contains(key)
                                     select new { Key = key, p.Type, p.Namespace, p.Name }).Distinct().ToListAsync(ct);
                return Build(groups, members.ToLookup(m => m.Key, m => FindingQueries.DisplayName(m.Type, m.Namespace, m.Name)));
            }
            case GroupBy.Vulnerability:
            {
                var q = from f in findings
                        join g0 in db.AliasGroups on f.GroupId equals g0.Id
                        group f by g0.CanonicalId into g
                        select new { g.Key, Findings = g.Count(), Images = g.Select(x => x.ArtifactId).Distinct().Count(), Max = g.Max(x => x.Severity), Fixable = g.Count(x => x.FixAvailable) };
                groups = (await q.OrderByDescending(x => x.Max).ThenByDescending(x => x.Images).ThenBy(x => x.Key).Take(take).ToListAsync(ct))
                    .Select(x => (x.Key, x.Findings, x.Images, x.Max, x.Fixable)).ToList();
                var keys = groups.Select(g => g.Key).ToList();
                var members = await (from f in findings
                                     join g0 in db.AliasGroups on f.GroupId equals g0.Id
                                     join a in db.Artifacts on f.ArtifactId equals a.Id
                                     join r in db.Repositories on a.RepositoryId equals r.Id
                                     where keys.Contains(g0.CanonicalId)
                                     select new { Key = g0.CanonicalId, r.Name }).Distinct().ToListAsync(ct);
                return Build(groups, members.ToLookup(m => m.Key, m => m.Name));
            }
            case GroupBy.Layer:
            {
                var q = from f in findings
                        join ap in db.ArtifactPackages on new { f.ArtifactId, f.PackageId } equals new { ap.ArtifactId, ap.PackageId }
                        group f by ap.Layer ?? "(layer unknown)" into g
                        select new { g.Key, Findings = g.Count(), Images = g.Select(x => x.ArtifactId).Distinct().Count(), Max = g.Max(x => x.Severity), Fixable = g.Count(x => x.FixAvailable) };
                groups = (await q.OrderByDescending(x => x.Findings).ThenBy(x => x.Key).Take(take).ToListAsync(ct))
                    .Select(x => (x.Key, x.Findings, x.Images, x.Max, x.Fixable)).ToList();
                var keys = groups.Select(g => g.Key).ToList();
                var members = await (from f in findings
                                     join ap in db.ArtifactPackages on new { f.ArtifactId, f.PackageId } equals new { ap.ArtifactId, ap.PackageId }
                                     join p in db.Packages on f.PackageId equals p.Id
                                     where keys.Contains(ap.Layer ?? "(layer unknown)")
                                     select new { Key = ap.Layer ?? "(layer unknown)", p.Name }).Distinct().ToListAsync(ct);
                return Build(groups, members.ToLookup(m => m.Key, m => m.Name));
            }
        }
        return [];
    }

    private static List<FindingGroup> Build(List<(string Key, int Findings, int Images, Severity Max, int Fixable)> groups, ILookup<string, string> members) =>
        groups.Select(g => new FindingGroup(g.Key, g.Findings, g.Images, g.Max, g.Fixable, members[g.Key].Distinct().Order(StringComparer.Ordinal).ToList())).ToList();
}
