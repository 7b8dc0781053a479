namespace Triage.Core.Metrics;

/// <summary>A repository as lineage sees it: its team and the repository it replaces.</summary>
public sealed record LineageRepository(long Id, string Name, long? TeamId, long? ReplacesRepositoryId);

/// <summary>
/// A lineage is a chain of repositories, each replacing the one before (app on debian → app on distroless → a rename), so
/// reduction is followed across the switch. Declarations keep it a chain: a repository replaces at most one and is
/// replaced by at most one, never itself or a successor.
/// </summary>
public sealed record Lineage(IReadOnlyList<LineageRepository> Repositories)
{
    /// <summary>The oldest repository: its id names the lineage.</summary>
    public LineageRepository Root => Repositories[0];

    /// <summary>The newest repository.</summary>
    public LineageRepository Head => Repositories[^1];

    public long Id => Root.Id;

    /// <summary>Groups repositories into lineages, oldest repository first in each. Robust to data no declaration could
    /// make (a repository replaced twice, a cycle): such a component is one lineage ordered by id.</summary>
    public static IReadOnlyList<Lineage> Build(IEnumerable<LineageRepository> repositories)
    {
        var byId = repositories.ToDictionary(r => r.Id);
        var parent = byId.Keys.ToDictionary(id => id, id => id);
        long Find(long x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        foreach (var r in byId.Values)
            if (r.ReplacesRepositoryId is { } old && byId.ContainsKey(old))
            {
                var (a, b) = (Find(r.Id), Find(old));
                if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
            }

        var result = new List<Lineage>();
        foreach (var component in byId.Values.GroupBy(r => Find(r.Id)))
        {
            var members = component.ToList();
            result.Add(new Lineage(Order(members, byId)));
        }
        return result.OrderBy(l => l.Root.Name, StringComparer.Ordinal).ThenBy(l => l.Id).ToList();
    }

    private static List<LineageRepository> Order(List<LineageRepository> members, Dictionary<long, LineageRepository> byId)
    {
        if (members.Count == 1) return members;
        var successor = new Dictionary<long, LineageRepository>();
        foreach (var m in members)
            if (m.ReplacesRepositoryId is { } old && byId.ContainsKey(old) && !successor.TryAdd(old, m))
                return [.. members.OrderBy(x => x.Id)];
        var roots = members.Where(m => m.ReplacesRepositoryId is not { } old || !byId.ContainsKey(old)).ToList();
        if (roots.Count != 1) return [.. members.OrderBy(x => x.Id)];
        var chain = new List<LineageRepository> { roots[0] };
        while (chain.Count <= members.Count && successor.TryGetValue(chain[^1].Id, out var next)) chain.Add(next);
        return chain.Count == members.Count ? chain : [.. members.OrderBy(x => x.Id)];
    }

    /// <summary>Why <paramref name="newId"/> may not be declared to replace <paramref name="oldId"/>, or null when it may.
    /// Declaring the replacement a repository already has is allowed (nothing changes).</summary>
    public static string? RefuseReplacement(IReadOnlyCollection<LineageRepository> repositories, long oldId, long newId)
    {
        var byId = repositories.ToDictionary(r => r.Id);
        if (!byId.TryGetValue(oldId, out var oldRepo)) return $"repository {oldId} does not exist";
        if (!byId.TryGetValue(newId, out var newRepo)) return $"repository {newId} does not exist";
        if (oldId == newId) return $"{newRepo.Name} cannot replace itself";
        if (newRepo.ReplacesRepositoryId == oldId) return null;
        if (newRepo.ReplacesRepositoryId is { } current && byId.TryGetValue(current, out var currentRepo))
            return $"{newRepo.Name} already replaces {currentRepo.Name}; remove that first";
        if (byId.Values.FirstOrDefault(r => r.ReplacesRepositoryId == oldId && r.Id != newId) is { } other)
            return $"{oldRepo.Name} is already replaced by {other.Name}; a lineage is a chain";
        // A cycle: the old repository descends from the new one.
        var seen = new HashSet<long>();
        for (var r = oldRepo; r.ReplacesRepositoryId is { } prev && byId.TryGetValue(prev, out var p) && seen.Add(r.Id); r = p)
            if (p.Id == newId) return $"{oldRepo.Name} already descends from {newRepo.Name}; that would make a cycle";
        return null;
    }
}
