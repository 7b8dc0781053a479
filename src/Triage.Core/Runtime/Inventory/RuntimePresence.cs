namespace Triage.Core.Runtime.Inventory;

/// <summary>Where an image runs, summed over inventory snapshots.</summary>
/// <param name="Running">True when at least one snapshot shows it in an active pod; false when inventories were given and none shows it.</param>
/// <param name="Environments">Distinct environment names, sorted; empty when none could be resolved.</param>
/// <param name="Clusters">Distinct cluster names given with the snapshots, sorted.</param>
/// <param name="Workloads">Distinct (cluster, namespace, kind, name) running the image.</param>
/// <param name="Replicas">Active pods running it, summed; null when no source counted pods (trivy-operator).</param>
/// <param name="FirstSeen">Earliest pod start or snapshot time.</param>
/// <param name="LastSeen">Latest snapshot time (or pod start when snapshots carry no time).</param>
public sealed record RuntimePresence(
    bool Running,
    IReadOnlyList<string> Environments,
    IReadOnlyList<string> Clusters,
    int Workloads,
    int? Replicas,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen)
{
    public static RuntimePresence NotSeen { get; } = new(false, [], [], 0, 0, null, null);

    /// <summary>Presence of the image(s) whose manifest digest or config id is in <paramref name="digests"/> ("sha256:…").</summary>
    public static RuntimePresence For(IEnumerable<DeploymentInventory> snapshots, IReadOnlyCollection<string> digests)
    {
        var wanted = new HashSet<string>(digests.Select(Normalize), StringComparer.Ordinal);
        return Of(snapshots, w => (w.Image.Digest is { } d && wanted.Contains(d)) || (w.Image.ImageId is { } i && wanted.Contains(i)));
    }

    /// <summary>Presence of the workload images selected by <paramref name="selector"/> (e.g. by repository and tag when no digest is known).</summary>
    public static RuntimePresence Of(IEnumerable<DeploymentInventory> snapshots, Func<WorkloadImage, bool> selector)
    {
        var envs = new SortedSet<string>(StringComparer.Ordinal);
        var clusters = new SortedSet<string>(StringComparer.Ordinal);
        // Replicas per workload: containers of one pod share the pod, so take the largest count, not the sum.
        var workloads = new Dictionary<(string?, string, string, string), int?>();
        DateTimeOffset? first = null, last = null;
        var running = false;
        foreach (var snapshot in snapshots)
        {
            foreach (var w in snapshot.Workloads)
            {
                if (!selector(w)) continue;
                var active = w.Replicas is null or > 0;
                if (!active) continue;
                running = true;
                if (w.Environment is { } e) envs.Add(e);
                if ((w.Cluster ?? snapshot.Cluster) is { } c) clusters.Add(c);
                var key = (w.Cluster ?? snapshot.Cluster, w.Namespace, w.WorkloadKind, w.WorkloadName);
                workloads[key] = workloads.TryGetValue(key, out var r) ? Max(r, w.Replicas) : w.Replicas;
                first = Min(first, Min(w.StartedAt, snapshot.ObservedAt));
                last = Max(last, snapshot.ObservedAt ?? w.StartedAt);
            }
        }
        int? replicas = workloads.Values.Any(v => v is not null) ? workloads.Values.Sum(v => v ?? 0) : null;
        return running ? new RuntimePresence(true, [.. envs], [.. clusters], workloads.Count, replicas, first, last) : NotSeen;
    }

    private static string Normalize(string digest)
    {
        var at = digest.IndexOf('@');
        return (at >= 0 ? digest[(at + 1)..] : digest).Trim().ToLowerInvariant();
    }

    private static int? Max(int? a, int? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
