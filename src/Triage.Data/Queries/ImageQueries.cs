using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>Repositories, their images (digests) and what is in them. Counts are computed for the page shown only.</summary>
public static class ImageQueries
{
    public static string DisplayName(string repository, IReadOnlyList<string> tags, string? digest) =>
        tags.Count > 0 ? $"{repository}:{tags[0]}" : digest is not null ? $"{repository}@{digest}" : repository;

    public static async Task<(List<RepositoryRow> Rows, int Total)> RepositoriesAsync(TriageDbContext db, IQueryable<long>? visibleRepositories,
        string? search, long? teamId, int skip, int take, CancellationToken ct = default)
    {
        var repos = db.Repositories.AsNoTracking();
        if (visibleRepositories is not null) repos = repos.Where(r => visibleRepositories.Contains(r.Id));
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim().ToLowerInvariant();
            repos = repos.Where(r => r.Name.Contains(s));
        }
        if (teamId is { } t) repos = repos.Where(r => r.TeamId == t);
        var total = await repos.CountAsync(ct);
        var page = await repos.OrderBy(r => r.Name).Skip(skip).Take(take)
            .Select(r => new { r.Id, r.Name, r.TeamId, Team = db.Teams.Where(x => x.Id == r.TeamId).Select(x => x.Name).FirstOrDefault() })
            .ToListAsync(ct);
        var ids = page.Select(p => p.Id).ToList();
        var artifacts = await db.Artifacts.AsNoTracking().Where(a => ids.Contains(a.RepositoryId))
            .Select(a => new { a.Id, a.RepositoryId, a.Digest, a.Tags, a.LastSeen, a.PackageCount }).ToListAsync(ct);
        var artifactIds = artifacts.Select(a => a.Id).ToList();
        var counts = await db.Findings.AsNoTracking().Where(f => f.Active && artifactIds.Contains(f.ArtifactId))
            .GroupBy(f => new { f.ArtifactId, f.Severity }).Select(g => new { g.Key.ArtifactId, g.Key.Severity, Count = g.Count() }).ToListAsync(ct);
        var countsByArtifact = counts.ToLookup(c => c.ArtifactId);
        var rows = page.Select(p =>
        {
            var mine = artifacts.Where(a => a.RepositoryId == p.Id).OrderByDescending(a => a.LastSeen).ToList();
            var images = mine.Select(a => new ArtifactRow(a.Id, a.Digest, a.Tags, DateTime.SpecifyKind(a.LastSeen, DateTimeKind.Utc), a.PackageCount,
                SeverityCounts.From(countsByArtifact[a.Id].Select(c => (c.Severity, c.Count))))).ToList();
            return new RepositoryRow(p.Id, p.Name, p.TeamId, p.Team, images,
                SeverityCounts.From(mine.SelectMany(a => countsByArtifact[a.Id]).Select(c => (c.Severity, c.Count))));
        }).ToList();
        return (rows, total);
    }

    public static async Task<ArtifactDetail?> ArtifactAsync(TriageDbContext db, long artifactId, CancellationToken ct = default)
    {
        var row = await (from art in db.Artifacts.AsNoTracking()
                         join r in db.Repositories on art.RepositoryId equals r.Id
                         where art.Id == artifactId
                         select new { a = art, r.Name, r.TeamId, Team = db.Teams.Where(t => t.Id == r.TeamId).Select(t => t.Name).FirstOrDefault() })
            .FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var a = row.a;
        var counts = await db.Findings.AsNoTracking().Where(f => f.ArtifactId == artifactId && f.Active)
            .GroupBy(f => f.Severity).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var siblings = await db.Artifacts.AsNoTracking().Where(x => x.RepositoryId == a.RepositoryId && x.Id != a.Id)
            .OrderByDescending(x => x.LastSeen).Take(20).Select(x => new { x.Id, x.Digest, x.Tags, x.LastSeen }).ToListAsync(ct);
        return new ArtifactDetail(a.Id, a.RepositoryId, row.Name, row.TeamId, row.Team, a.Digest, a.ImageId, a.Tags, a.OsFamily, a.OsName, a.BaseImage,
            a.SizeBytes, a.PackageCount, DateTime.SpecifyKind(a.FirstSeen, DateTimeKind.Utc), DateTime.SpecifyKind(a.LastSeen, DateTimeKind.Utc),
            SeverityCounts.From(counts.Select(c => (c.Key, c.Count))),
            siblings.Select(s => new ArtifactRow(s.Id, s.Digest, s.Tags, DateTime.SpecifyKind(s.LastSeen, DateTimeKind.Utc), 0, SeverityCounts.Empty)).ToList());
    }

    public static async Task<(List<PackageRow> Rows, int Total)> PackagesAsync(TriageDbContext db, long artifactId, string? search, int skip, int take,
        CancellationToken ct = default)
    {
        var q = from ap in db.ArtifactPackages.AsNoTracking()
                join p in db.Packages on ap.PackageId equals p.Id
                where ap.ArtifactId == artifactId
                select new { p, ap.Layer };
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim().ToLowerInvariant();
            q = q.Where(x => x.p.Name.ToLower().Contains(s) || (x.p.SourceName != null && x.p.SourceName.ToLower().Contains(s)));
        }
        var total = await q.CountAsync(ct);
        var page = await q.OrderBy(x => x.p.Name).ThenBy(x => x.p.Version).Skip(skip).Take(take)
            .Select(x => new
            {
                x.p.Id, x.p.Type, x.p.Namespace, x.p.Name, x.p.Version, x.p.Purl, x.p.Key, x.p.SourceName, x.Layer,
                Findings = db.Findings.Count(f => f.ArtifactId == artifactId && f.PackageId == x.p.Id && f.Active),
                Worst = db.Findings.Where(f => f.ArtifactId == artifactId && f.PackageId == x.p.Id && f.Active).Max(f => (Severity?)f.Severity),
            }).ToListAsync(ct);
        return (page.Select(x => new PackageRow(x.Id, x.Type, FindingQueries.DisplayName(x.Type, x.Namespace, x.Name), x.Version, x.Purl ?? x.Key,
            x.SourceName, x.Layer, x.Findings, x.Worst)).ToList(), total);
    }

    public static async Task<List<ScanRow>> ScansAsync(TriageDbContext db, long artifactId, CancellationToken ct = default)
    {
        var rows = await (from s in db.Scans.AsNoTracking()
                          join raw in db.RawReports on s.RawReportId equals raw.Id
                          where s.ArtifactId == artifactId
                          orderby s.ImportedAt descending, s.Id descending
                          select new { s.Id, s.Scanner, s.ScannerVersion, s.ImportedAt, s.ImportedBy, s.FindingCount, s.NewFindingCount, s.ObservationCount, raw.FileName, s.Skipped })
            .Take(200).ToListAsync(ct);
        return rows.Select(s => new ScanRow(s.Id, s.Scanner, s.ScannerVersion, DateTime.SpecifyKind(s.ImportedAt, DateTimeKind.Utc), s.ImportedBy,
            s.FindingCount, s.NewFindingCount, s.ObservationCount, s.FileName, s.Skipped)).ToList();
    }

    /// <summary>Findings per scan over time for every image of a repository: the trend of the repository.</summary>
    public static async Task<List<TrendPoint>> TrendAsync(TriageDbContext db, long repositoryId, CancellationToken ct = default)
    {
        var rows = await (from s in db.Scans.AsNoTracking()
                          join a in db.Artifacts on s.ArtifactId equals a.Id
                          where a.RepositoryId == repositoryId
                          orderby s.ImportedAt
                          select new { s.ImportedAt, s.Scanner, s.FindingCount, s.NewFindingCount })
            .Take(500).ToListAsync(ct);
        return rows.Select(r => new TrendPoint(DateTime.SpecifyKind(r.ImportedAt, DateTimeKind.Utc), r.Scanner, r.FindingCount, r.NewFindingCount)).ToList();
    }
}

/// <summary>Open findings per severity.</summary>
public sealed record SeverityCounts(int Critical, int High, int Medium, int Low, int Unknown)
{
    public static readonly SeverityCounts Empty = new(0, 0, 0, 0, 0);

    public int Total => Critical + High + Medium + Low + Unknown;

    public int this[Severity s] => s switch
    {
        Severity.Critical => Critical,
        Severity.High => High,
        Severity.Medium => Medium,
        Severity.Low => Low,
        Severity.Unknown => Unknown,
    };

    public static SeverityCounts From(IEnumerable<(Severity Severity, int Count)> counts)
    {
        int c = 0, h = 0, m = 0, l = 0, u = 0;
        foreach (var (s, n) in counts)
        {
            switch (s)
            {
                case Severity.Critical: c += n; break;
                case Severity.High: h += n; break;
                case Severity.Medium: m += n; break;
                case Severity.Low: l += n; break;
                case Severity.Unknown: u += n; break;
            }
        }
        return new SeverityCounts(c, h, m, l, u);
    }
}

public sealed record RepositoryRow(long Id, string Name, long? TeamId, string? Team, IReadOnlyList<ArtifactRow> Images, SeverityCounts Open);

public sealed record ArtifactRow(long Id, string? Digest, IReadOnlyList<string> Tags, DateTime LastSeen, int PackageCount, SeverityCounts Open);

public sealed record ArtifactDetail(long Id, long RepositoryId, string Repository, long? TeamId, string? Team, string? Digest, string? ImageId,
    IReadOnlyList<string> Tags, string? OsFamily, string? OsName, string? BaseImage, long? SizeBytes, int PackageCount, DateTime FirstSeen, DateTime LastSeen,
    SeverityCounts Open, IReadOnlyList<ArtifactRow> OtherImages)
{
    public string DisplayName => ImageQueries.DisplayName(Repository, Tags, Digest);
}

public sealed record PackageRow(long Id, string Type, string Name, string Version, string Purl, string? SourceName, string? Layer, int Findings, Severity? Worst);

public sealed record ScanRow(long Id, string Scanner, string? ScannerVersion, DateTime ImportedAt, string? ImportedBy, int Findings, int NewFindings,
    int Observations, string FileName, string? Skipped);

public sealed record TrendPoint(DateTime ImportedAt, string Scanner, int Findings, int NewFindings);
