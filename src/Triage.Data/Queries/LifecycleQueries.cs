using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;

namespace Triage.Data.Queries;

/// <summary>
/// Follows a repository's findings across its digests (oldest to newest): a problem is the vulnerability group on a
/// package name (not version, so an upgrade that does not fix keeps the problem "still present"). Each digest's problems
/// are new, still present, or reintroduced (gone in the previous digest, present in an earlier one); problems of the
/// previous digest missing from this one are fixed.
/// </summary>
public static class LifecycleQueries
{
    public enum ProblemState
    {
        New,
        StillPresent,
        Reintroduced,
        Fixed,
    }

    public static string ToWire(this ProblemState s) => s switch
    {
        ProblemState.New => "new",
        ProblemState.StillPresent => "still_present",
        ProblemState.Reintroduced => "reintroduced",
        ProblemState.Fixed => "fixed",
    };

    public sealed record Problem(ProblemState State, string VulnerabilityId, string Package, string? Version, string? PreviousVersion, Severity Severity, long? FindingId);

    public sealed record DigestLifecycle(long ArtifactId, string? Digest, IReadOnlyList<string> Tags, DateTime FirstSeen, IReadOnlyList<Problem> Problems)
    {
        public int Count(ProblemState s) => Problems.Count(p => p.State == s);
    }

    private sealed record Row(long ArtifactId, long FindingId, long GroupId, string Canonical, string Type, string? Namespace, string Name, string Version, Severity Severity);

    public static async Task<IReadOnlyList<DigestLifecycle>> ForRepositoryAsync(TriageDbContext db, string repository, CancellationToken ct = default)
    {
        var name = repository.Trim().ToLowerInvariant();
        if (Core.Identity.ImageReference.TryParse(repository, out var r) && !await db.Repositories.AnyAsync(x => x.Name == name, ct))
            name = r!.Repository;
        var artifacts = await db.Artifacts.AsNoTracking()
            .Where(a => db.Repositories.Any(x => x.Id == a.RepositoryId && x.Name == name))
            .OrderBy(a => a.FirstSeen).ThenBy(a => a.Id)
            .Select(a => new { a.Id, a.Digest, a.Tags, a.FirstSeen })
            .ToListAsync(ct);
        if (artifacts.Count == 0) return [];
        var ids = artifacts.Select(a => a.Id).ToList();
        var rows = await (
            from f in db.Findings.AsNoTracking()
            where ids.Contains(f.ArtifactId) && f.Active
            join p in db.Packages on f.PackageId equals p.Id
            join g in db.AliasGroups on f.GroupId equals g.Id
            select new Row(f.ArtifactId, f.Id, f.GroupId, g.CanonicalId, p.Type, p.Namespace, p.Name, p.Version, f.Severity))
            .ToListAsync(ct);
        var byArtifact = rows.ToLookup(x => x.ArtifactId);

        var result = new List<DigestLifecycle>();
        var everSeen = new HashSet<(long, string)>();
        Dictionary<(long, string), Row>? previous = null;
        foreach (var a in artifacts)
        {
            var current = new Dictionary<(long, string), Row>();
            foreach (var row in byArtifact[a.Id]) current.TryAdd(Key(row), row);
            var problems = new List<Problem>();
            foreach (var (key, row) in current)
            {
                Row? before = null;
                var state = previous is not null && previous.TryGetValue(key, out before) ? ProblemState.StillPresent
                    : everSeen.Contains(key) ? ProblemState.Reintroduced
                    : ProblemState.New;
                problems.Add(new Problem(state, row.Canonical, FindingQueries.DisplayName(row.Type, row.Namespace, row.Name), row.Version, before?.Version, row.Severity, row.FindingId));
            }
            if (previous is not null)
                foreach (var (key, row) in previous)
                    if (!current.ContainsKey(key))
                        problems.Add(new Problem(ProblemState.Fixed, row.Canonical, FindingQueries.DisplayName(row.Type, row.Namespace, row.Name), null, row.Version, row.Severity, null));
            everSeen.UnionWith(current.Keys);
            previous = current;
            result.Add(new DigestLifecycle(a.Id, a.Digest, a.Tags, DateTime.SpecifyKind(a.FirstSeen, DateTimeKind.Utc),
                problems.OrderBy(p => p.State).ThenByDescending(p => p.Severity).ThenBy(p => p.VulnerabilityId, StringComparer.Ordinal).ToList()));
        }
        return result;

        static (long, string) Key(Row row) => (row.GroupId, $"{row.Type}/{row.Namespace}/{row.Name}");
    }
}
