using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;

namespace Triage.Data.Queries;

/// <summary>"A new big CVE landed: which images and digests contain it, through which packages?" in one query.</summary>
public static class ExposureQueries
{
    public sealed record Exposure(string QueriedId, string? CanonicalId, IReadOnlyList<string> Aliases, IReadOnlyList<string> Upstream,
        IReadOnlyList<ExposedImage> Images)
    {
        public int Repositories => Images.Select(i => i.Repository).Distinct().Count();
    }

    public sealed record ExposedImage(string Repository, string Image, string? Digest, IReadOnlyList<string> Tags, Severity Severity,
        IReadOnlyList<ExposedPackage> Packages, IReadOnlyList<string> Scanners, IReadOnlyList<string> FixedVersions, DateTime FirstSeen, DateTime LastSeen);

    public sealed record ExposedPackage(string Purl, string Name, string Version, string? SourceName, long FindingId);

    public static async Task<Exposure> FindAsync(TriageDbContext db, string vulnerabilityId, bool includeInactive = false, CancellationToken ct = default)
    {
        var id = VulnerabilityIds.Normalize(vulnerabilityId);
        var findings = FindingQueries.Filtered(db, new FindingFilter { Vulnerability = id, IncludeInactive = includeInactive });
        var views = await FindingQueries.ToViewsAsync(db, findings.OrderBy(f => f.ArtifactId).ThenBy(f => f.Id), ct);

        string? canonical = null;
        var aliases = new SortedSet<string>(StringComparer.Ordinal);
        var upstream = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in views)
        {
            canonical ??= v.Vulnerability.Id;
            aliases.UnionWith(v.Vulnerability.Aliases.Append(v.Vulnerability.Id));
            upstream.UnionWith(v.Vulnerability.Upstream);
        }
        if (views.Count == 0)
        {
            // Known but not present anywhere: still answer with its identity.
            var groupId = await db.Vulnerabilities.AsNoTracking().Where(v => v.VulnId == id).Select(v => (long?)v.GroupId).FirstOrDefaultAsync(ct);
            if (groupId is not null)
            {
                canonical = await db.AliasGroups.Where(g => g.Id == groupId).Select(g => g.CanonicalId).FirstAsync(ct);
                aliases.UnionWith(await db.Vulnerabilities.Where(v => v.GroupId == groupId).Select(v => v.VulnId).ToListAsync(ct));
            }
        }
        if (canonical is not null) aliases.Remove(canonical);

        var images = views.GroupBy(v => v.ArtifactId).Select(g =>
        {
            var first = g.First();
            return new ExposedImage(first.Repository, first.Image, first.Digest, first.Tags, g.Max(x => x.Severity),
                g.Select(x => new ExposedPackage(x.Package.Purl, x.Package.Name, x.Package.Version, x.Package.SourceName, x.Id)).ToList(),
                g.SelectMany(x => x.Scanners).Distinct().Order(StringComparer.Ordinal).ToList(),
                g.SelectMany(x => x.FixedVersions).Distinct().Order(StringComparer.Ordinal).ToList(),
                g.Min(x => x.FirstSeen), g.Max(x => x.LastSeen));
        }).OrderBy(i => i.Repository, StringComparer.Ordinal).ThenByDescending(i => i.LastSeen).ToList();

        return new Exposure(id, canonical, [.. aliases], [.. upstream], images);
    }
}
