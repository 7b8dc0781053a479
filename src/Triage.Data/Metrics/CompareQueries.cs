using Microsoft.EntityFrameworkCore;
using Triage.Core.Metrics;
using Triage.Data.Queries;

namespace Triage.Data.Metrics;

/// <summary>One side of a comparison as people read it.</summary>
/// <param name="Label">"repository:tag", "repository@digest", or "repository on 2026-02-01" for a date.</param>
/// <param name="Images">The images read (one for an image comparison; the lineage's current images for a date).</param>
/// <param name="Packages">Package count (the images' counts, summed).</param>
/// <param name="SizeBytes">Image size when every image reports one, else null.</param>
public sealed record CompareSide(string Label, IReadOnlyList<CompareImage> Images, int Packages, long? SizeBytes, DateTime AsOf);

public sealed record CompareImage(long ArtifactId, string Repository, string? Digest, IReadOnlyList<string> Tags, string? OsFamily, string? OsName,
    string? BaseImage, long? SizeBytes, int PackageCount)
{
    public string DisplayName => ImageQueries.DisplayName(Repository, Tags, Digest);
    public string? Os => string.Join(' ', new[] { OsFamily, OsName }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } os ? os : null;
}

/// <summary>Two sides and what explains the difference in their open findings.</summary>
public sealed record Comparison(CompareSide Before, CompareSide After, AttributionResult Attribution)
{
    public AttributionCounts Counts => Attribution.Counts;
}

/// <summary>A comparison names an image or repository Triage does not know, or dates in the wrong order.</summary>
public sealed class CompareException(string message) : Exception(message);

/// <summary>
/// Compares two images as Triage knows them now (their active findings, and the decisions in force now), or a repository's
/// lineage at two dates (the images current then, their findings active then, the decisions in force then).
/// </summary>
public static class CompareQueries
{
    /// <summary>The image a reference names: repository@digest, repository:tag (the digest seen last with that tag), or
    /// a repository (its image seen last). Null when nothing matches.</summary>
    public static async Task<long?> ResolveImageAsync(TriageDbContext db, string reference, CancellationToken ct = default)
    {
        var ids = FindingQueries.ArtifactsFor(db, reference);
        if (ids.Count == 0) return null;
        return await db.Artifacts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .OrderByDescending(a => a.LastSeen).ThenByDescending(a => a.FirstSeen).ThenByDescending(a => a.Id)
            .Select(a => (long?)a.Id).FirstAsync(ct);
    }

    public static async Task<Comparison> ImagesAsync(TriageDbContext db, long before, long after, DateTime now, DecisionLookup? decisions,
        CancellationToken ct = default)
    {
        var (a, sideA) = await ImageSideAsync(db, before, now, decisions, ct);
        var (b, sideB) = await ImageSideAsync(db, after, now, decisions, ct);
        return new Comparison(Side(a.DisplayName, [a], now), Side(b.DisplayName, [b], now), Attribution.Compare(sideA, sideB));
    }

    /// <summary>A repository's lineage at two moments.</summary>
    public static async Task<Comparison> DatesAsync(TriageDbContext db, long repositoryId, DateTime before, DateTime after, DecisionLookup? decisions,
        CancellationToken ct = default)
    {
        if (after < before) throw new CompareException("the second date is before the first");
        var name = await db.Repositories.AsNoTracking().Where(r => r.Id == repositoryId).Select(r => r.Name).FirstOrDefaultAsync(ct)
                   ?? throw new CompareException($"repository {repositoryId} does not exist");
        var history = await MetricsHistoryLoader.LoadAsync(db, IsoWeek.Of(before), after, [], decisions, repositoryId, ct);
        var images = await ImagesAsync(db, history.CurrentAt(repositoryId, before).Concat(history.CurrentAt(repositoryId, after))
            .Select(d => d.ArtifactId).Distinct().ToList(), ct);
        CompareSide SideOf(DateTime t) =>
            Side($"{name} on {t:yyyy-MM-dd HH:mm} UTC", history.CurrentAt(repositoryId, t).Select(d => images[d.ArtifactId]).ToList(), t);
        return new Comparison(SideOf(before), SideOf(after), Attribution.Compare(history.SideAt(repositoryId, before), history.SideAt(repositoryId, after)));
    }

    private static CompareSide Side(string label, IReadOnlyList<CompareImage> images, DateTime asOf) => new(label, images,
        images.Sum(i => i.PackageCount), images.Count > 0 && images.All(i => i.SizeBytes is not null) ? images.Sum(i => i.SizeBytes!.Value) : null, asOf);

    private static async Task<Dictionary<long, CompareImage>> ImagesAsync(TriageDbContext db, List<long> ids, CancellationToken ct) =>
        await (from a in db.Artifacts.AsNoTracking()
               join r in db.Repositories on a.RepositoryId equals r.Id
               where ids.Contains(a.Id)
               select new CompareImage(a.Id, r.Name, a.Digest, a.Tags, a.OsFamily, a.OsName, a.BaseImage, a.SizeBytes, a.PackageCount))
            .ToDictionaryAsync(i => i.ArtifactId, ct);

    private static async Task<(CompareImage Image, ComparisonSide Side)> ImageSideAsync(TriageDbContext db, long artifactId, DateTime now,
        DecisionLookup? decisions, CancellationToken ct)
    {
        var image = (await ImagesAsync(db, [artifactId], ct)).GetValueOrDefault(artifactId)
                    ?? throw new CompareException($"image {artifactId} does not exist");
        var findings = await (
                from f in db.Findings.AsNoTracking()
                where f.ArtifactId == artifactId && f.Active
                join p in db.Packages on f.PackageId equals p.Id
                join g in db.AliasGroups on f.GroupId equals g.Id
                select new { f.Id, f.GroupId, g.CanonicalId, p.Type, p.Namespace, p.Name, p.Version, f.Severity, f.FixAvailable, f.FirstSeen })
            .ToListAsync(ct);
        var inventory = await (
                from ap in db.ArtifactPackages.AsNoTracking()
                where ap.ArtifactId == artifactId
                join p in db.Packages on ap.PackageId equals p.Id
                select new { p.Type, p.Namespace, p.Name, p.Version })
            .ToListAsync(ct);
        var histories = findings.Select(f => new FindingHistory(f.Id, artifactId, f.GroupId, f.CanonicalId, new PackageName(f.Type, f.Namespace, f.Name),
            f.Version, f.Severity, f.FixAvailable, MetricsHistoryLoader.Utc(f.FirstSeen), null));
        var side = new ComparisonSide().AddImage(inventory.Select(p => new PackageName(p.Type, p.Namespace, p.Name).At(p.Version)),
            histories.Select(f => f.ToSide(decisions?.Invoke(f, now))));
        return (image, side);
    }
}
