using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>Everything the finding page shows beyond <see cref="FindingView"/>: the advisories of its alias group,
/// the same problem elsewhere, and when each scanner reported it.</summary>
public static class FindingDetailQueries
{
    public static async Task<List<Vulnerability>> AdvisoriesAsync(TriageDbContext db, long groupId, CancellationToken ct = default) =>
        await db.Vulnerabilities.AsNoTracking().Where(v => v.GroupId == groupId).OrderBy(v => v.VulnId).ToListAsync(ct);

    /// <summary>Other findings of the same vulnerability group (other images, or other packages of this image).</summary>
    public static async Task<List<RelatedFinding>> SameProblemAsync(TriageDbContext db, long findingId, long groupId, IQueryable<long>? visibleArtifacts,
        int take, CancellationToken ct = default)
    {
        var q = db.Findings.AsNoTracking().Where(f => f.GroupId == groupId && f.Id != findingId);
        if (visibleArtifacts is not null) q = q.Where(f => visibleArtifacts.Contains(f.ArtifactId));
        var rows = await (from f in q
                          join a in db.Artifacts on f.ArtifactId equals a.Id
                          join r in db.Repositories on a.RepositoryId equals r.Id
                          join p in db.Packages on f.PackageId equals p.Id
                          orderby f.Active descending, f.Severity descending, f.Id
                          select new { f.Id, f.ArtifactId, Repo = r.Name, a.Tags, a.Digest, p.Type, p.Namespace, p.Name, p.Version, f.Severity, f.Active, f.FixAvailable })
            .Take(take).ToListAsync(ct);
        return rows.Select(r => new RelatedFinding(r.Id, r.ArtifactId, ImageQueries.DisplayName(r.Repo, r.Tags, r.Digest),
            FindingQueries.DisplayName(r.Type, r.Namespace, r.Name), r.Version, r.Severity, r.Active, r.FixAvailable)).ToList();
    }

    public static Task<int> SameProblemCountAsync(TriageDbContext db, long findingId, long groupId, IQueryable<long>? visibleArtifacts, CancellationToken ct = default)
    {
        var q = db.Findings.AsNoTracking().Where(f => f.GroupId == groupId && f.Id != findingId);
        if (visibleArtifacts is not null) q = q.Where(f => visibleArtifacts.Contains(f.ArtifactId));
        return q.CountAsync(ct);
    }

    /// <summary>Each scanner's observation with the import that last reported it.</summary>
    public static async Task<List<ObservationHistory>> ObservationHistoryAsync(TriageDbContext db, long findingId, CancellationToken ct = default)
    {
        var rows = await (from o in db.Observations.AsNoTracking()
                          join s in db.Scans on o.ScanId equals s.Id
                          where o.FindingId == findingId
                          orderby o.FirstSeen
                          select new { o.Scanner, o.RawVulnId, o.FirstSeen, o.LastSeen, o.Active, s.ImportedAt, s.ImportedBy, s.Id })
            .ToListAsync(ct);
        return rows.Select(r => new ObservationHistory(r.Scanner, r.RawVulnId, DateTime.SpecifyKind(r.FirstSeen, DateTimeKind.Utc),
            DateTime.SpecifyKind(r.LastSeen, DateTimeKind.Utc), r.Active, r.Id, DateTime.SpecifyKind(r.ImportedAt, DateTimeKind.Utc), r.ImportedBy)).ToList();
    }
}

public sealed record RelatedFinding(long Id, long ArtifactId, string Image, string Package, string Version, Severity Severity, bool Active, bool FixAvailable);

public sealed record ObservationHistory(string Scanner, string RawId, DateTime FirstSeen, DateTime LastSeen, bool Active, long LastScanId, DateTime LastScanAt, string? ImportedBy);
