using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;

namespace Triage.Data.Queries;

/// <summary>"A new big CVE landed: which images and digests contain it, through which packages?" in one query. The id may
/// be any alias; a distro advisory (DSA, RHSA…) answers for each vulnerability it fixes.</summary>
public static class ExposureQueries
{
    public sealed record Exposure(string QueriedId, IReadOnlyList<ExposedVulnerability> Vulnerabilities)
    {
        public bool Known => Vulnerabilities.Count > 0;
        public int Repositories => Vulnerabilities.SelectMany(v => v.Images).Select(i => i.Repository).Distinct().Count();
        public int Images => Vulnerabilities.SelectMany(v => v.Images).Select(i => i.ArtifactId).Distinct().Count();
    }

    public sealed record ExposedVulnerability(string Id, IReadOnlyList<string> Aliases, IReadOnlyList<string> Upstream, string? Title, IReadOnlyList<ExposedImage> Images);

    public sealed record ExposedImage(long ArtifactId, string Repository, string Image, string? Digest, IReadOnlyList<string> Tags, Severity Severity,
        IReadOnlyList<ExposedPackage> Packages, IReadOnlyList<string> Scanners, IReadOnlyList<string> FixedVersions, DateTime FirstSeen, DateTime LastSeen);

    public sealed record ExposedPackage(string Purl, string Name, string Version, string? SourceName, long FindingId, IReadOnlyList<string> FixedVersions);

    public static async Task<Exposure> FindAsync(TriageDbContext db, string vulnerabilityId, bool includeInactive = false, CancellationToken ct = default)
    {
        var id = VulnerabilityIds.Normalize(vulnerabilityId);
        var findings = FindingQueries.Filtered(db, new FindingFilter { Vulnerability = id, IncludeInactive = includeInactive });
        var views = await FindingQueries.ToViewsAsync(db, findings.OrderBy(f => f.ArtifactId).ThenBy(f => f.Id), ct);

        var vulnerabilities = views.GroupBy(v => v.GroupId).Select(group =>
        {
            var first = group.First();
            var images = group.GroupBy(v => v.ArtifactId).Select(g =>
            {
                var f = g.First();
                return new ExposedImage(f.ArtifactId, f.Repository, f.Image, f.Digest, f.Tags, g.Max(x => x.Severity),
                    g.Select(x => new ExposedPackage(x.Package.Purl, x.Package.Name, x.Package.Version, x.Package.SourceName, x.Id, x.FixedVersions)).ToList(),
                    g.SelectMany(x => x.Scanners).Distinct().Order(StringComparer.Ordinal).ToList(),
                    g.SelectMany(x => x.FixedVersions).Distinct().Order(StringComparer.Ordinal).ToList(),
                    g.Min(x => x.FirstSeen), g.Max(x => x.LastSeen));
            }).OrderBy(i => i.Repository, StringComparer.Ordinal).ThenByDescending(i => i.LastSeen).ToList();
            return new ExposedVulnerability(first.Vulnerability.Id, first.Vulnerability.Aliases, first.Vulnerability.Upstream, first.Vulnerability.Title, images);
        }).OrderBy(v => v.Id, StringComparer.Ordinal).ToList();

        if (vulnerabilities.Count == 0)
        {
            // Known but in no image (any more): still answer with its identity.
            var groupId = await db.Vulnerabilities.AsNoTracking().Where(v => v.VulnId == id).Select(v => (long?)v.GroupId).FirstOrDefaultAsync(ct);
            if (groupId is not null)
            {
                var canonical = await db.AliasGroups.Where(g => g.Id == groupId).Select(g => g.CanonicalId).FirstAsync(ct);
                var members = await db.Vulnerabilities.Where(v => v.GroupId == groupId).Select(v => v.VulnId).ToListAsync(ct);
                vulnerabilities.Add(new ExposedVulnerability(canonical, members.Where(m => m != canonical).Order(StringComparer.Ordinal).ToList(), [], null, []));
            }
        }
        return new Exposure(id, vulnerabilities);
    }
}
