using Microsoft.EntityFrameworkCore;
using Triage.Core.Metrics;
using Triage.Data.Queries;
using Triage.Data.Vex;

namespace Triage.Data.Metrics;

public sealed record LineageRepositoryView(long Id, string Name, long? TeamId, string? Team, long? ReplacesRepositoryId);

/// <summary>One image of a lineage, oldest first.</summary>
/// <param name="Current">Current now (<see cref="CurrentImages"/>): it still counts in the metrics.</param>
/// <param name="Findings">Findings a scanner reports on it now, by severity.</param>
public sealed record LineageImage(long ArtifactId, long RepositoryId, string Repository, string? Digest, IReadOnlyList<string> Tags, string? OsFamily,
    string? OsName, string? BaseImage, long? SizeBytes, int PackageCount, DateTime FirstSeen, DateTime LastSeen, int Scans, SeverityCounts Findings,
    bool Current)
{
    public string DisplayName => ImageQueries.DisplayName(Repository, Tags, Digest);
    public string? Os => string.Join(' ', new[] { OsFamily, OsName }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } os ? os : null;
}

/// <summary>A repository's lineage: the chain of repositories (oldest first) and every image of them over time.</summary>
public sealed record LineageView(long RepositoryId, IReadOnlyList<LineageRepositoryView> Repositories, IReadOnlyList<LineageImage> Images)
{
    public LineageRepositoryView Repository => Repositories.First(r => r.Id == RepositoryId);
}

/// <summary>Reads lineages. Writes go through <see cref="LineageService"/>.</summary>
public static class LineageQueries
{
    /// <summary>The repository a name means: an exact stored name (a scanned tree "app/gin"), else the repository of an
    /// image reference ("nginx" → docker.io/library/nginx). Null when unknown.</summary>
    public static async Task<(long Id, string Name)?> FindRepositoryAsync(TriageDbContext db, string name, CancellationToken ct = default)
    {
        if (await ImageScopes.RepositoryNameAsync(db, name, ct) is not { } stored) return null;
        return (await db.Repositories.AsNoTracking().Where(r => r.Name == stored).Select(r => r.Id).FirstAsync(ct), stored);
    }

    public static async Task<LineageView?> ForRepositoryAsync(TriageDbContext db, long repositoryId, DateTime now, CancellationToken ct = default)
    {
        var all = await db.Repositories.AsNoTracking()
            .Select(r => new { r.Id, r.Name, r.TeamId, r.ReplacesRepositoryId, Team = db.Teams.Where(t => t.Id == r.TeamId).Select(t => t.Name).FirstOrDefault() })
            .ToListAsync(ct);
        var lineage = Lineage.Build(all.Select(r => new LineageRepository(r.Id, r.Name, r.TeamId, r.ReplacesRepositoryId)))
            .FirstOrDefault(l => l.Repositories.Any(r => r.Id == repositoryId));
        if (lineage is null) return null;
        var teams = all.ToDictionary(r => r.Id, r => r.Team);
        var repositories = lineage.Repositories.Select(r => new LineageRepositoryView(r.Id, r.Name, r.TeamId, teams[r.Id], r.ReplacesRepositoryId)).ToList();
        var ids = repositories.Select(r => r.Id).ToList();

        var artifacts = await (from a in db.Artifacts.AsNoTracking()
                               join r in db.Repositories on a.RepositoryId equals r.Id
                               where ids.Contains(a.RepositoryId)
                               select new { a, r.Name }).ToListAsync(ct);
        var artifactIds = artifacts.Select(x => x.a.Id).ToList();
        var scans = await db.Scans.AsNoTracking().Where(s => artifactIds.Contains(s.ArtifactId)).Select(s => new { s.ArtifactId, s.ImportedAt }).ToListAsync(ct);
        var counts = await db.Findings.AsNoTracking().Where(f => f.Active && artifactIds.Contains(f.ArtifactId))
            .GroupBy(f => new { f.ArtifactId, f.Severity }).Select(g => new { g.Key.ArtifactId, g.Key.Severity, Count = g.Count() }).ToListAsync(ct);
        var scansOf = scans.GroupBy(s => s.ArtifactId).ToDictionary(g => g.Key, g => g.Select(s => MetricsHistoryLoader.Utc(s.ImportedAt)).Distinct().Order().ToList());
        var countsOf = counts.ToLookup(c => c.ArtifactId);

        var histories = artifacts.Select(x => new DigestHistory(x.a.Id, x.a.RepositoryId, x.a.Digest,
                scansOf.GetValueOrDefault(x.a.Id) ?? [MetricsHistoryLoader.Utc(x.a.FirstSeen)], x.a.PackageCount, x.a.SizeBytes, []))
            .OrderBy(d => d.FirstScan).ThenBy(d => d.ArtifactId).ToList();
        var current = CurrentImages.At(histories, now).Select(d => d.ArtifactId).ToHashSet();
        var byId = artifacts.ToDictionary(x => x.a.Id);
        var images = histories.Select(h =>
        {
            var (a, name) = (byId[h.ArtifactId].a, byId[h.ArtifactId].Name);
            return new LineageImage(a.Id, a.RepositoryId, name, a.Digest, a.Tags, a.OsFamily, a.OsName, a.BaseImage, a.SizeBytes, a.PackageCount,
                MetricsHistoryLoader.Utc(a.FirstSeen), MetricsHistoryLoader.Utc(a.LastSeen), h.ScanTimes.Count,
                SeverityCounts.From(countsOf[a.Id].Select(c => (c.Severity, c.Count))), current.Contains(a.Id));
        }).ToList();
        return new LineageView(repositoryId, repositories, images);
    }
}

/// <summary>A replacement that cannot be declared, with the reason.</summary>
public sealed class LineageException(string message) : Exception(message);

/// <summary>Declares and withdraws "NEW replaces OLD" (<see cref="Core.Domain.ImageRepository.ReplacesRepositoryId"/>).
/// Snapshots already complete keep the lineages they were computed with; <c>triage metrics snapshot --rebuild</c> recomputes.</summary>
public static class LineageService
{
    public static async Task<LineageRepositoryView> ReplaceAsync(TriageDbContext db, string oldRepository, string newRepository, CancellationToken ct = default)
    {
        var old = await FindAsync(db, oldRepository, ct);
        var @new = await FindAsync(db, newRepository, ct);
        var all = await db.Repositories.AsNoTracking().Select(r => new LineageRepository(r.Id, r.Name, r.TeamId, r.ReplacesRepositoryId)).ToListAsync(ct);
        if (Lineage.RefuseReplacement(all, old.Id, @new.Id) is { } reason) throw new LineageException(reason);
        await db.Repositories.Where(r => r.Id == @new.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.ReplacesRepositoryId, old.Id), ct);
        return await ViewAsync(db, @new.Id, ct);
    }

    /// <summary>Withdraws what <paramref name="repository"/> replaces.</summary>
    public static async Task<LineageRepositoryView> UnlinkAsync(TriageDbContext db, string repository, CancellationToken ct = default)
    {
        var repo = await FindAsync(db, repository, ct);
        await db.Repositories.Where(r => r.Id == repo.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.ReplacesRepositoryId, (long?)null), ct);
        return await ViewAsync(db, repo.Id, ct);
    }

    private static async Task<(long Id, string Name)> FindAsync(TriageDbContext db, string name, CancellationToken ct) =>
        await LineageQueries.FindRepositoryAsync(db, name, ct) ?? throw new LineageException($"no repository '{name}' has been imported");

    private static Task<LineageRepositoryView> ViewAsync(TriageDbContext db, long id, CancellationToken ct) =>
        db.Repositories.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new LineageRepositoryView(r.Id, r.Name, r.TeamId, db.Teams.Where(t => t.Id == r.TeamId).Select(t => t.Name).FirstOrDefault(),
                r.ReplacesRepositoryId))
            .FirstAsync(ct);
}
