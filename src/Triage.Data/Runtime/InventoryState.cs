using Triage.Core.Runtime;
using Triage.Core.Runtime.Inventory;

namespace Triage.Data.Runtime;

/// <summary>A stored workload row, with the coverage of the snapshot that saw it last.</summary>
internal sealed record WorkloadRow(long Id, InventorySource Source, string Cluster, string Namespace, string Kind, string Name, string Container,
    bool Init, string Reference, string? Repository, string? Tag, string? Digest, string? ImageId, string? Environment, int? Replicas, int Pods,
    DateTime? StartedAt, DateTime FirstSeen, DateTime LastSeen, InventoryCoverage LastSeenBy);

/// <summary>
/// What the stored inventories say, read once per scoring or page (docs/decisions/109-inventory-coverage.md): every
/// workload row, which of them still run, and what the inventories of each cluster cover.
/// <list type="bullet">
/// <item>A workload still runs while it was seen within <see cref="RuntimeSettings.RunningWindow"/> of the newest snapshot
/// of its cluster and source that <em>covers</em> it (<see cref="InventoryCoverage.Covers"/>): a namespace's list says
/// nothing about other namespaces, a node's list nothing about workloads seen on other nodes.</item>
/// <item>An image no current workload runs is not running only under <see cref="AbsenceRule"/>; otherwise its exposure is
/// unknown, with the <see cref="InventoryGap"/> that says what the inventories cover.</item>
/// </list>
/// </summary>
internal sealed class InventoryState
{
    private readonly RuntimeSettings _settings;
    // Newest snapshot per (cluster, source) and coverage: a handful of rows however many snapshots were taken.
    private readonly Dictionary<(string Cluster, InventorySource Source), List<(InventoryCoverage Coverage, DateTime Newest)>> _newest = [];
    private readonly Dictionary<string, IReadOnlyCollection<InventoryCoverage>> _coverage = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _repositoryClusters = new(StringComparer.Ordinal);

    private InventoryState(RuntimeSettings settings, List<WorkloadRow> workloads, List<(string Cluster, InventorySource Source, CoverageKind Kind, string Scope, DateTime Newest)> snapshots)
    {
        _settings = settings;
        Workloads = workloads;
        var byCluster = new Dictionary<string, HashSet<InventoryCoverage>>(StringComparer.Ordinal);
        foreach (var (cluster, source, kind, scope, newest) in snapshots)
        {
            var coverage = InventoryCoverage.FromStored(kind, scope);
            if (!_newest.TryGetValue((cluster, source), out var list)) _newest[(cluster, source)] = list = [];
            list.Add((coverage, newest));
            if (!byCluster.TryGetValue(cluster, out var set)) byCluster[cluster] = set = [];
            set.Add(coverage);
        }
        foreach (var (cluster, set) in byCluster) _coverage[cluster] = set;
        foreach (var w in workloads)
            foreach (var repository in Repositories(w))
            {
                if (!_repositoryClusters.TryGetValue(repository, out var clusters)) _repositoryClusters[repository] = clusters = new(StringComparer.Ordinal);
                clusters.Add(w.Cluster);
            }
    }

    public List<WorkloadRow> Workloads { get; }

    /// <summary>Whether any inventory was ever imported (without one, exposure is unknown for every image).</summary>
    public bool HasInventories => _coverage.Count > 0;

    /// <summary>Whether the workload still runs: seen within the window of the newest snapshot that would show it.</summary>
    public bool IsCurrent(WorkloadRow w)
    {
        if (!_newest.TryGetValue((w.Cluster, w.Source), out var snapshots)) return true;
        DateTime? newest = null;
        foreach (var (coverage, at) in snapshots)
            if (coverage.Covers(w.Namespace, w.LastSeenBy) && (newest is null || at > newest)) newest = at;
        return newest is null || w.LastSeen >= newest - _settings.RunningWindow;
    }

    /// <summary>For an image no current workload runs: null when it is not running, else what the inventories cover.</summary>
    public InventoryGap? Absence(string? repository)
    {
        var clusters = repository is not null && _repositoryClusters.TryGetValue(repository, out var seen) ? seen : [];
        return AbsenceRule.Judge(_coverage, clusters, _settings.AllClustersInventoried);
    }

    /// <summary>The repository as normalised and as written: artifacts are matched by either (<see cref="ArtifactCatalog.Match"/>).</summary>
    internal static IEnumerable<string> Repositories(WorkloadRow w)
    {
        if (w.Repository is { } r) yield return r;
        if (RuntimeImageReference.Parse(w.Reference).Repository?.ToLowerInvariant() is { } raw && raw != w.Repository) yield return raw;
    }

    public static async Task<InventoryState> LoadAsync(SqlSource sql, RuntimeSettings settings, CancellationToken ct)
    {
        var snapshots = await sql.QueryAsync(
            "SELECT \"Cluster\", \"Source\", \"Coverage\", \"CoverageScope\", MAX(\"ObservedAt\") FROM \"RuntimeSnapshots\" " +
            "GROUP BY \"Cluster\", \"Source\", \"Coverage\", \"CoverageScope\"",
            r => (r.GetString(0), (InventorySource)r.GetInt32(1), (CoverageKind)r.GetInt32(2), r.GetString(3), RiskInputLoader.Utc(r.GetDateTime(4))), ct);
        var workloads = snapshots.Count == 0 ? [] : await sql.QueryAsync(
            "SELECT w.\"Id\", w.\"Source\", w.\"Cluster\", w.\"Namespace\", w.\"WorkloadKind\", w.\"WorkloadName\", w.\"Container\", w.\"InitContainer\", w.\"ImageReference\", " +
            "w.\"Repository\", w.\"Tag\", w.\"Digest\", w.\"ImageId\", w.\"Environment\", w.\"Replicas\", w.\"Pods\", w.\"StartedAt\", w.\"FirstSeen\", w.\"LastSeen\", " +
            "s.\"Coverage\", s.\"CoverageScope\" FROM \"RuntimeWorkloads\" w JOIN \"RuntimeSnapshots\" s ON s.\"Id\" = w.\"LastSnapshotId\"",
            r => new WorkloadRow(r.GetInt64(0), (InventorySource)r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetBoolean(7), r.GetString(8), Str(r, 9), Str(r, 10), Str(r, 11), Str(r, 12), Str(r, 13), r.IsDBNull(14) ? null : r.GetInt32(14), r.GetInt32(15),
                r.IsDBNull(16) ? null : RiskInputLoader.Utc(r.GetDateTime(16)), RiskInputLoader.Utc(r.GetDateTime(17)), RiskInputLoader.Utc(r.GetDateTime(18)),
                InventoryCoverage.FromStored((CoverageKind)r.GetInt32(19), r.GetString(20))), ct);
        return new InventoryState(settings, workloads, snapshots);
    }

    private static string? Str(System.Data.Common.DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
