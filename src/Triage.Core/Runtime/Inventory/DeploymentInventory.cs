namespace Triage.Core.Runtime.Inventory;

/// <summary>Where an inventory came from.</summary>
public enum InventorySource
{
    /// <summary><c>kubectl get pods -A -o json</c> (a v1 List of Pods) or the kubelet's <c>/pods</c> PodList.</summary>
    KubernetesPods,
    /// <summary>trivy-operator VulnerabilityReport CRDs: one per workload container.</summary>
    TrivyOperator,
}

public static class InventorySourceNames
{
    public static string ToWire(this InventorySource s) => s switch
    {
        InventorySource.KubernetesPods => "kubernetes-pods",
        InventorySource.TrivyOperator => "trivy-operator",
    };
}

/// <summary>
/// One container of one workload and the image it runs, aggregated over the workload's pods.
/// A pod that mixes images (a rollout in progress) gives one entry per image.
/// </summary>
public sealed record WorkloadImage
{
    public string? Cluster { get; init; }
    public required string Namespace { get; init; }
    /// <summary>Deployment, StatefulSet, DaemonSet, Job, ReplicaSet (when no Deployment can be inferred), Pod (no owner)…</summary>
    public required string WorkloadKind { get; init; }
    public required string WorkloadName { get; init; }
    /// <summary>True when <see cref="WorkloadKind"/>/<see cref="WorkloadName"/> were inferred from a ReplicaSet name rather than read.</summary>
    public bool WorkloadInferred { get; init; }
    public string? Container { get; init; }
    public bool InitContainer { get; init; }
    public required RuntimeImageReference Image { get; init; }
    /// <summary>Environment name from a label or the namespace mapping ("prod", "staging"…), null when neither says.</summary>
    public string? Environment { get; init; }
    /// <summary>Pods of this workload running this container (phase Running or Pending); null when the source does not say (trivy-operator).</summary>
    public int? Replicas { get; init; }
    /// <summary>All pods seen with this container, including finished ones (Succeeded/Failed jobs).</summary>
    public int Pods { get; init; }
    /// <summary>Labels common to the workload's pods (pod-template-hash and similar per-revision labels removed).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Earliest pod start time seen for this entry.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary>A snapshot of what runs where, from one input file.</summary>
public sealed class DeploymentInventory
{
    public required InventorySource Source { get; init; }
    public string? Cluster { get; init; }
    /// <summary>When the snapshot was taken (given by the caller; the inputs do not carry it reliably).</summary>
    public DateTimeOffset? ObservedAt { get; init; }
    /// <summary>What the snapshot covers: as the uploader stated it, else as derived from the list's shape
    /// (<see cref="InventoryCoverage.Derive"/>).</summary>
    public InventoryCoverage Coverage { get; set; } = InventoryCoverage.Partial;
    /// <summary>True when the uploader stated <see cref="Coverage"/>.</summary>
    public bool CoverageStated { get; set; }
    /// <summary>How the coverage was found: "stated by the uploader" or what the list showed ("a kubelet /pods list of node n1").</summary>
    public string CoverageBasis { get; set; } = "";
    public List<WorkloadImage> Workloads { get; } = [];
    /// <summary>Records that were skipped, with the reason (a pod without an image id, an unreadable reference…).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Sets the coverage: the one stated in <paramref name="options"/>, else the one the list's shape shows.</summary>
    internal void SetCoverage(InventoryOptions options, InventoryShape shape)
    {
        var derived = InventoryCoverage.Derive(shape);
        if (options.Coverage is { } stated)
        {
            (Coverage, CoverageStated, CoverageBasis) = (stated, true, "stated by the uploader");
            if (stated.Kind == CoverageKind.Namespaces && shape.Namespaces.Except(stated.Namespaces, StringComparer.Ordinal).ToList() is { Count: > 0 } outside)
                Warnings.Add($"coverage {stated.ToWire()} was stated, but the list also has pods in {string.Join(", ", outside.Take(5))}");
            return;
        }
        (Coverage, CoverageStated, CoverageBasis) = (derived, false, InventoryCoverage.Explain(shape, derived));
    }
}

/// <summary>How an inventory is read: cluster name, snapshot time, and how environments are named.</summary>
public sealed record InventoryOptions
{
    public string? Cluster { get; init; }
    public DateTimeOffset? ObservedAt { get; init; }
    /// <summary>What the inventory covers, as its uploader states it; null: derived from the list.</summary>
    public InventoryCoverage? Coverage { get; init; }
    public EnvironmentRules Environments { get; init; } = EnvironmentRules.Default;
    public int MaxDepth { get; init; } = 64;
}

/// <summary>
/// Resolves a workload's environment: the first configured label found on the pod wins, then the first namespace
/// pattern that matches. Patterns are globs with '*' (e.g. "prod*", "*-prod"), matched case-insensitively.
/// Bindable from configuration (plain properties with defaults).
/// </summary>
public sealed record EnvironmentRules
{
    public IReadOnlyList<string> LabelKeys { get; init; } = ["environment", "app.kubernetes.io/environment", "env"];
    public IReadOnlyList<NamespaceEnvironment> Namespaces { get; init; } = [];

    /// <summary>Labels first; namespace conventions commonly used in clusters as a fallback.</summary>
    public static EnvironmentRules Default { get; } = new()
    {
        Namespaces =
        [
            new("prod*", "prod"), new("*-prod", "prod"), new("*-production", "prod"),
            new("staging*", "staging"), new("stage*", "staging"), new("*-staging", "staging"), new("*-stg", "staging"),
            new("dev*", "dev"), new("*-dev", "dev"), new("test*", "test"), new("*-test", "test"),
        ],
    };

    public string? Resolve(string? @namespace, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var key in LabelKeys)
            if (labels.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v)) return v.Trim();
        if (@namespace is null) return null;
        foreach (var rule in Namespaces)
            if (Glob.Matches(rule.Pattern, @namespace)) return rule.Environment;
        return null;
    }
}

/// <summary>A namespace glob and the environment it means.</summary>
public sealed record NamespaceEnvironment(string Pattern, string Environment);

/// <summary>'*'-only globs, case-insensitive; enough for namespace and path conventions.</summary>
internal static class Glob
{
    public static bool Matches(string pattern, string text) => Match(pattern.AsSpan(), text.AsSpan());

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> t)
    {
        while (p.Length > 0)
        {
            if (p[0] == '*')
            {
                p = p[1..];
                if (p.Length == 0) return true;
                for (var i = 0; i <= t.Length; i++)
                    if (Match(p, t[i..])) return true;
                return false;
            }
            if (t.Length == 0 || char.ToLowerInvariant(p[0]) != char.ToLowerInvariant(t[0])) return false;
            p = p[1..];
            t = t[1..];
        }
        return t.Length == 0;
    }
}
