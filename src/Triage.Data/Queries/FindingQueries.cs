using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Vex;

namespace Triage.Data.Queries;

/// <summary>Reads findings with their evidence. Filtering and paging happen in SQL; evidence is loaded for the page only.</summary>
public static class FindingQueries
{
    private sealed record Row(long Id, long ArtifactId, long GroupId, Severity Severity, List<string> FixedVersions, bool Active, DateTime FirstSeen, DateTime LastSeen,
        string Repository, long? TeamId, string? Digest, List<string> Tags, string PackageKey, string? Purl, string Type, string? Namespace, string Name, string Version,
        string? SourceName, string? SourceVersion, string CanonicalId);

    /// <summary>The filtered findings query, before paging (also used for counts and grouping).</summary>
    public static IQueryable<Finding> Filtered(TriageDbContext db, FindingFilter filter)
    {
        var q = db.Findings.AsNoTracking();
        if (!filter.IncludeInactive) q = q.Where(f => f.Active);
        if (filter.RepositoryIds is not null)
        {
            var ids = filter.RepositoryIds;
            q = q.Where(f => db.Artifacts.Any(a => a.Id == f.ArtifactId && ids.Contains(a.RepositoryId)));
        }
        if (filter.TeamId is { } team)
            q = q.Where(f => db.Artifacts.Any(a => a.Id == f.ArtifactId && db.Repositories.Any(r => r.Id == a.RepositoryId && r.TeamId == team)));
        if (!string.IsNullOrWhiteSpace(filter.Image))
        {
            var artifactIds = ArtifactsFor(db, filter.Image);
            q = q.Where(f => artifactIds.Contains(f.ArtifactId));
        }
        if (filter.MinSeverity is { } min) q = q.Where(f => f.Severity >= min);
        if (filter.Severities is { Count: > 0 } sevs) q = q.Where(f => sevs.Contains(f.Severity));
        if (!string.IsNullOrWhiteSpace(filter.Scanner))
        {
            var s = filter.Scanner.Trim().ToLowerInvariant();
            q = q.Where(f => db.Observations.Any(o => o.FindingId == f.Id && o.Active && o.Scanner == s));
        }
        if (!string.IsNullOrWhiteSpace(filter.Package))
        {
            var p = filter.Package.Trim().ToLowerInvariant();
            q = q.Where(f => db.Packages.Any(pk => pk.Id == f.PackageId && (pk.Name.ToLower().Contains(p) || pk.Key.ToLower().Contains(p)
                || (pk.SourceName != null && pk.SourceName.ToLower().Contains(p)))));
        }
        if (!string.IsNullOrWhiteSpace(filter.Vulnerability))
        {
            var v = VulnerabilityIds.Normalize(filter.Vulnerability);
            // An id, an alias of it, or an advisory upstream of it.
            var groups = db.Vulnerabilities.Where(x => x.VulnId == v).Select(x => x.GroupId)
                .Union(db.AliasAssertions.Where(a => a.FromId == v && a.Relation == AliasRelation.Upstream)
                    .Join(db.Vulnerabilities, a => a.ToId, x => x.VulnId, (a, x) => x.GroupId));
            q = q.Where(f => groups.Contains(f.GroupId));
        }
        if (filter.FixAvailable is { } fix)
            q = q.Where(f => f.FixAvailable == fix);
        return q;
    }

    /// <summary>Artifacts an image reference names: repository (all digests), repository:tag, or repository@digest.
    /// A repository has few artifacts, so tags are matched in memory.</summary>
    public static List<long> ArtifactsFor(TriageDbContext db, string image)
    {
        var raw = image.Trim();
        var lower = raw.ToLowerInvariant();
        string repository = lower;
        string? tag = null, digest = null;
        // A bare name like "app/gin" may be a non-image repository (a scanned tree): an exact repository name wins.
        if (!db.Repositories.Any(x => x.Name == lower) && ImageReference.TryParse(raw, out var r))
        {
            repository = r!.Repository;
            tag = r.Tag;
            digest = r.Digest;
        }
        var candidates = db.Artifacts.AsNoTracking()
            .Where(a => db.Repositories.Any(x => x.Id == a.RepositoryId && x.Name == repository))
            .Select(a => new { a.Id, a.Digest, a.ImageId, a.Tags })
            .ToList();
        return candidates
            .Where(a => digest is not null ? a.Digest == digest || a.ImageId == digest : tag is null || a.Tags.Contains(tag))
            .Select(a => a.Id)
            .ToList();
    }

    public static IQueryable<Finding> Sort(IQueryable<Finding> q, TriageDbContext db, FindingSort sort, bool descending) => (sort, descending) switch
    {
        (FindingSort.Severity, true) => q.OrderByDescending(f => f.Severity).ThenBy(f => f.Id),
        (FindingSort.Severity, false) => q.OrderBy(f => f.Severity).ThenBy(f => f.Id),
        (FindingSort.Vulnerability, false) => q.OrderBy(f => db.AliasGroups.Where(g => g.Id == f.GroupId).Select(g => g.CanonicalId).FirstOrDefault()).ThenBy(f => f.Id),
        (FindingSort.Vulnerability, true) => q.OrderByDescending(f => db.AliasGroups.Where(g => g.Id == f.GroupId).Select(g => g.CanonicalId).FirstOrDefault()).ThenBy(f => f.Id),
        (FindingSort.Package, false) => q.OrderBy(f => db.Packages.Where(p => p.Id == f.PackageId).Select(p => p.Name).FirstOrDefault()).ThenBy(f => f.Id),
        (FindingSort.Package, true) => q.OrderByDescending(f => db.Packages.Where(p => p.Id == f.PackageId).Select(p => p.Name).FirstOrDefault()).ThenBy(f => f.Id),
        (FindingSort.Image, false) => q.OrderBy(f => f.ArtifactId).ThenBy(f => f.Id),
        (FindingSort.Image, true) => q.OrderByDescending(f => f.ArtifactId).ThenBy(f => f.Id),
        (FindingSort.FirstSeen, false) => q.OrderBy(f => f.FirstSeen).ThenBy(f => f.Id),
        (FindingSort.FirstSeen, true) => q.OrderByDescending(f => f.FirstSeen).ThenBy(f => f.Id),
        (FindingSort.LastSeen, false) => q.OrderBy(f => f.LastSeen).ThenBy(f => f.Id),
        (FindingSort.LastSeen, true) => q.OrderByDescending(f => f.LastSeen).ThenBy(f => f.Id),
    };

    /// <summary>Turns a (filtered, sorted, paged) findings query into views with their evidence.</summary>
    public static async Task<List<FindingView>> ToViewsAsync(TriageDbContext db, IQueryable<Finding> findings, CancellationToken ct = default)
    {
        var rows = await (
            from f in findings
            join a in db.Artifacts on f.ArtifactId equals a.Id
            join r in db.Repositories on a.RepositoryId equals r.Id
            join p in db.Packages on f.PackageId equals p.Id
            join g in db.AliasGroups on f.GroupId equals g.Id
            select new Row(f.Id, f.ArtifactId, f.GroupId, f.Severity, f.FixedVersions, f.Active, f.FirstSeen, f.LastSeen, r.Name, r.TeamId, a.Digest, a.Tags,
                p.Key, p.Purl, p.Type, p.Namespace, p.Name, p.Version, p.SourceName, p.SourceVersion, g.CanonicalId))
            .ToListAsync(ct);
        if (rows.Count == 0) return [];

        var findingIds = rows.Select(r => r.Id).ToList();
        var groupIds = rows.Select(r => r.GroupId).Distinct().ToList();
        var observations = new List<Observation>(rows.Count * 2);
        foreach (var chunk in findingIds.Chunk(5000))
            observations.AddRange(await db.Observations.AsNoTracking().Where(o => chunk.Contains(o.FindingId)).ToListAsync(ct));
        var members = new List<(long GroupId, string VulnId, string? Title)>();
        foreach (var chunk in groupIds.Chunk(5000))
            members.AddRange((await db.Vulnerabilities.AsNoTracking().Where(v => chunk.Contains(v.GroupId))
                .Select(v => new { v.GroupId, v.VulnId, v.Title }).ToListAsync(ct)).Select(x => (x.GroupId, x.VulnId, x.Title)));
        var memberIds = members.Select(m => m.VulnId).Distinct().ToList();
        var upstream = new List<(string From, string To)>();
        foreach (var chunk in memberIds.Chunk(5000))
            upstream.AddRange((await db.AliasAssertions.AsNoTracking().Where(a => a.Relation == AliasRelation.Upstream && chunk.Contains(a.ToId))
                .Select(a => new { a.FromId, a.ToId }).ToListAsync(ct)).Select(x => (x.FromId, x.ToId)));

        var obsByFinding = observations.ToLookup(o => o.FindingId);
        var membersByGroup = members.ToLookup(m => m.GroupId);
        var upstreamByTo = upstream.ToLookup(u => u.To, u => u.From);

        // The decision in force: one query for the statements that can apply to this page, then the resolver in memory.
        var vexRefs = rows.Select(r => new VexFindingRef(r.Id, r.ArtifactId, r.Repository, r.Digest, r.Tags, r.TeamId, r.Purl ?? r.PackageKey, r.GroupId, r.CanonicalId,
            membersByGroup[r.GroupId].Select(m => m.VulnId).DefaultIfEmpty(r.CanonicalId).ToList(), r.Active)).ToList();
        var (statements, vex) = await VexStatementQueries.ResolveAsync(db, vexRefs, DateTimeOffset.UtcNow, ct);

        return rows.Select(r =>
        {
            var ids = membersByGroup[r.GroupId].Select(m => m.VulnId).ToList();
            var obs = obsByFinding[r.Id].OrderBy(o => o.Scanner, StringComparer.Ordinal).ThenBy(o => o.RawVulnId, StringComparer.Ordinal).ToList();
            var image = r.Tags.Count > 0 ? $"{r.Repository}:{r.Tags[0]}" : r.Digest is not null ? $"{r.Repository}@{r.Digest}" : r.Repository;
            return new FindingView
            {
                Id = r.Id,
                ArtifactId = r.ArtifactId,
                GroupId = r.GroupId,
                Image = image,
                Repository = r.Repository,
                Digest = r.Digest,
                Tags = r.Tags,
                Package = new PackageView(r.Purl ?? r.PackageKey, r.Type, r.Namespace, DisplayName(r.Type, r.Namespace, r.Name), r.Version, r.SourceName, r.SourceVersion),
                Vulnerability = new VulnerabilityView(
                    r.CanonicalId,
                    ids.Where(i => i != r.CanonicalId).Order(StringComparer.Ordinal).ToList(),
                    ids.SelectMany(i => upstreamByTo[i]).Distinct().Order(StringComparer.Ordinal).ToList(),
                    membersByGroup[r.GroupId].FirstOrDefault(m => m.VulnId == r.CanonicalId).Title),
                Severity = r.Severity,
                Scanners = obs.Where(o => o.Active || !r.Active).Select(o => o.Scanner).Distinct().ToList(),
                FixedVersions = r.FixedVersions,
                Active = r.Active,
                FirstSeen = DateTime.SpecifyKind(r.FirstSeen, DateTimeKind.Utc),
                LastSeen = DateTime.SpecifyKind(r.LastSeen, DateTimeKind.Utc),
                Observations = obs.Select(o => new ObservationView(o.Scanner, o.RawVulnId, o.Severity, o.FixedVersions, o.FixState, o.Status, o.Active,
                    o.SeveritySource, o.CvssJson, o.PathsJson, o.RawPackageName, o.RawPackageVersion)).ToList(),
                Vex = vex[r.Id].Effective is { } e ? statements.ById[e.Id].ToFindingVex() : null,
            };
        }).ToList();
    }

    /// <summary>"group:artifact" for Maven, "@scope/name" for npm, the module path for Go; else the name.</summary>
    public static string DisplayName(string type, string? ns, string name) =>
        new PackageKey(type, ns, name, "").DisplayName;
}
