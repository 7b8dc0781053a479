namespace Triage.Core.Runtime.Inventory;

/// <summary>
/// Why an image that no current workload runs is not known to be "not running": the inventories stored cover only
/// part of where it could run (<see cref="Covered"/>, for people).
/// </summary>
/// <param name="Covered">What the inventories of the clusters that matter cover: "cluster a", "namespace x of cluster b".</param>
/// <param name="RepositoryNotSeen">No inventory ever showed the image's repository, so every cluster matters.</param>
public sealed record InventoryGap(IReadOnlyList<string> Covered, bool RepositoryNotSeen)
{
    /// <summary>"not seen in the inventories, which cover only namespace shop of cluster prod-eu".</summary>
    public string Describe() =>
        $"not seen in the inventories, which cover only {Join(Covered)}" + (RepositoryNotSeen ? ", where its repository was never seen" : "");

    private static string Join(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "nothing",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
}

/// <summary>
/// When an image that no current workload runs counts as not running (docs/decisions/109-inventory-coverage.md). Only a
/// cluster-wide inventory shows that an image does not run in a cluster. The clusters that matter are those where an
/// inventory ever showed the image's repository (any tag or digest): the image is not running when each of them has a
/// cluster-wide inventory. When no inventory ever showed the repository, every inventoried cluster matters, and only
/// when the deployment states that its inventoried clusters are all the clusters (<c>allClustersInventoried</c>):
/// otherwise the image may run in a cluster Triage has no inventory of.
/// </summary>
public static class AbsenceRule
{
    private const int ShownNames = 5;

    /// <param name="coverage">The coverage of every stored inventory, by cluster ("" for inventories without a cluster name); not empty.</param>
    /// <param name="repositoryClusters">Clusters where an inventory ever showed the image's repository.</param>
    /// <param name="allClustersInventoried">Every cluster that runs scanned images sends inventories to Triage.</param>
    /// <returns>Null when the image is not running; else what the inventories cover.</returns>
    public static InventoryGap? Judge(IReadOnlyDictionary<string, IReadOnlyCollection<InventoryCoverage>> coverage, IReadOnlyCollection<string> repositoryClusters,
        bool allClustersInventoried)
    {
        if (coverage.Count == 0) throw new ArgumentException("absence is judged only once inventories exist", nameof(coverage));
        var seen = repositoryClusters.Where(coverage.ContainsKey).Distinct(StringComparer.Ordinal).ToList();
        var relevant = seen.Count > 0 ? seen : [.. coverage.Keys];
        var complete = relevant.All(c => coverage[c].Any(x => x.IsClusterWide));
        if (complete && (seen.Count > 0 || allClustersInventoried)) return null;
        return new InventoryGap(relevant.Order(StringComparer.Ordinal).Select(c => Describe(c, coverage[c])).ToList(), seen.Count == 0);
    }

    /// <summary>What one cluster's inventories cover together, in one phrase.</summary>
    internal static string Describe(string cluster, IReadOnlyCollection<InventoryCoverage> coverages)
    {
        if (coverages.Any(c => c.IsClusterWide)) return InventoryCoverage.Cluster.Describe(cluster);
        var parts = new List<string>();
        var namespaces = coverages.SelectMany(c => c.Namespaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (namespaces.Count > 0) parts.Add($"namespace{(namespaces.Count == 1 ? "" : "s")} {Names(namespaces)}");
        var nodes = coverages.Where(c => c.Node is not null).Select(c => c.Node!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (nodes.Count > 0) parts.Add($"node{(nodes.Count == 1 ? "" : "s")} {Names(nodes)}");
        if (parts.Count == 0) return InventoryCoverage.Partial.Describe(cluster);
        return $"{string.Join(" and ", parts)} of {InventoryCoverage.ClusterName(cluster)}";
    }

    private static string Names(List<string> names) =>
        names.Count <= ShownNames ? string.Join(", ", names) : $"{string.Join(", ", names.Take(ShownNames))} and {names.Count - ShownNames} more";
}
