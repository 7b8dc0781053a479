using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Vex;

namespace Triage.Data.Vex;

/// <summary>A stored finding as VEX sees it: its image, owning team, package and the ids of its alias group.</summary>
/// <param name="PackagePurl">The scanner's purl (with the distro namespace VEX documents use), else the package key.</param>
/// <param name="CanonicalId">The alias group's canonical id: the vulnerability a decision on this finding names.</param>
public sealed record VexFindingRef(
    long FindingId,
    long ArtifactId,
    string Repository,
    string? Digest,
    IReadOnlyList<string> Tags,
    long? TeamId,
    string PackagePurl,
    long GroupId,
    string CanonicalId,
    IReadOnlyList<string> VulnerabilityIds,
    bool Active)
{
    public Purl? Package { get; } = Purl.TryParse(PackagePurl, out var p) ? p : null;

    public VexFinding ToVexFinding() =>
        new(Repository, Digest, Package, VulnerabilityIds, TeamId is { } t ? [DecisionRows.TeamKey(t)] : null);

    /// <summary>"repository:tag" (first tag) or "repository@digest", as the findings list shows it.</summary>
    public string Image => Tags.Count > 0 ? $"{Repository}:{Tags[0]}" : Digest is not null ? $"{Repository}@{Digest}" : Repository;
}

/// <summary>Loads <see cref="VexFindingRef"/>s for a findings query: one query for the findings, one per 5,000 alias groups.</summary>
public static class VexFindingRefs
{
    private sealed record Row(long Id, long ArtifactId, string Repository, string? Digest, List<string> Tags, long? TeamId,
        string? Purl, string Key, long GroupId, string CanonicalId, bool Active);

    public static async Task<List<VexFindingRef>> LoadAsync(TriageDbContext db, IQueryable<Finding> findings, CancellationToken ct = default)
    {
        var rows = await (
            from f in findings
            join a in db.Artifacts on f.ArtifactId equals a.Id
            join r in db.Repositories on a.RepositoryId equals r.Id
            join p in db.Packages on f.PackageId equals p.Id
            join g in db.AliasGroups on f.GroupId equals g.Id
            orderby f.Id
            select new Row(f.Id, f.ArtifactId, r.Name, a.Digest, a.Tags, r.TeamId, p.Purl, p.Key, f.GroupId, g.CanonicalId, f.Active))
            .ToListAsync(ct);
        if (rows.Count == 0) return [];
        var members = await MembersAsync(db, rows.Select(r => r.GroupId), ct);
        return rows.Select(r => new VexFindingRef(r.Id, r.ArtifactId, r.Repository, r.Digest, r.Tags, r.TeamId, r.Purl ?? r.Key, r.GroupId, r.CanonicalId,
            members.TryGetValue(r.GroupId, out var ids) ? ids : [r.CanonicalId], r.Active)).ToList();
    }

    public static Task<List<VexFindingRef>> LoadAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, CancellationToken ct = default) =>
        findingIds.Count == 0 ? Task.FromResult(new List<VexFindingRef>()) : LoadChunkedAsync(db, findingIds, ct);

    private static async Task<List<VexFindingRef>> LoadChunkedAsync(TriageDbContext db, IReadOnlyCollection<long> findingIds, CancellationToken ct)
    {
        var result = new List<VexFindingRef>(findingIds.Count);
        foreach (var chunk in findingIds.Distinct().Chunk(5000))
            result.AddRange(await LoadAsync(db, db.Findings.AsNoTracking().Where(f => chunk.Contains(f.Id)), ct));
        return result;
    }

    /// <summary>Alias group → its member ids.</summary>
    public static async Task<Dictionary<long, IReadOnlyList<string>>> MembersAsync(TriageDbContext db, IEnumerable<long> groupIds, CancellationToken ct)
    {
        var result = new Dictionary<long, IReadOnlyList<string>>();
        foreach (var chunk in groupIds.Distinct().Chunk(5000))
        {
            var members = await db.Vulnerabilities.AsNoTracking().Where(v => chunk.Contains(v.GroupId)).Select(v => new { v.GroupId, v.VulnId }).ToListAsync(ct);
            foreach (var g in members.GroupBy(m => m.GroupId))
                result[g.Key] = g.Select(m => m.VulnId).Order(StringComparer.Ordinal).ToArray();
        }
        return result;
    }
}
