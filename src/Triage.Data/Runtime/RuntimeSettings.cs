using Triage.Core.Runtime.Inventory;

namespace Triage.Data.Runtime;

/// <summary>
/// How runtime evidence is read and judged (configuration section "Triage:Runtime"). Plain properties with defaults,
/// so the section binds and an empty one changes nothing.
/// </summary>
public sealed record RuntimeSettings
{
    public static RuntimeSettings Default { get; } = new();

    /// <summary>A workload counts as running while it was seen within this many hours of the newest snapshot of its
    /// cluster and source. Kubelet lists cover one node each: snapshots of the nodes taken within the window add up.</summary>
    public double RunningWindowHours { get; init; } = 24;

    /// <summary>Every cluster that runs scanned images sends cluster-wide inventories to Triage. Then an image whose
    /// repository no inventory ever showed is "not running" once every inventoried cluster has a cluster-wide inventory;
    /// otherwise its exposure stays unknown, since it may run in a cluster Triage has no inventory of
    /// (docs/decisions/109-inventory-coverage.md).</summary>
    public bool AllClustersInventoried { get; init; }

    /// <summary>Labels, then namespace patterns, that name a workload's environment.</summary>
    public EnvironmentRules Environments { get; init; } = EnvironmentRules.Default;

    public TimeSpan RunningWindow => TimeSpan.FromHours(RunningWindowHours);

    /// <summary>Problems with bound settings, empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RunningWindowHours is <= 0 or > 24 * 366 || double.IsNaN(RunningWindowHours)) errors.Add("Triage:Runtime:RunningWindowHours must be between 0 and 8784 hours.");
        foreach (var ns in Environments.Namespaces)
            if (string.IsNullOrWhiteSpace(ns.Pattern) || string.IsNullOrWhiteSpace(ns.Environment))
                errors.Add("Triage:Runtime:Environments:Namespaces entries need a Pattern and an Environment.");
        return errors;
    }
}
