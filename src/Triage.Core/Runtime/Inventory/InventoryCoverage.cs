namespace Triage.Core.Runtime.Inventory;

/// <summary>How much of its cluster one inventory shows (docs/decisions/109-inventory-coverage.md).</summary>
public enum CoverageKind
{
    /// <summary>Every pod of the cluster (<c>kubectl get pods -A</c>, a cluster's trivy-operator reports): an image it does
    /// not show does not run in that cluster. Stored inventories from before coverage was recorded are read as this.</summary>
    Cluster = 0,
    /// <summary>Every pod of some namespaces (<c>kubectl get pods -n x</c>).</summary>
    Namespaces = 1,
    /// <summary>Every pod of one node (the kubelet's <c>/pods</c>).</summary>
    Node = 2,
    /// <summary>Only the workloads it lists (a single pod or report, a list filtered by a label selector).</summary>
    Partial = 3,
}

/// <summary>
/// What one inventory covers: the whole cluster, some namespaces, one node, or only what it lists. Only a cluster-wide
/// inventory can show that an image does not run; the others show where images run and, for the namespaces or the
/// node they cover, that a workload stopped.
/// </summary>
public sealed record InventoryCoverage
{
    private InventoryCoverage(CoverageKind kind, IReadOnlyList<string> namespaces, string? node)
    {
        Kind = kind;
        Namespaces = namespaces;
        Node = node;
    }

    public CoverageKind Kind { get; }
    /// <summary>The namespaces covered, sorted and distinct (<see cref="CoverageKind.Namespaces"/> only).</summary>
    public IReadOnlyList<string> Namespaces { get; }
    /// <summary>The node covered (<see cref="CoverageKind.Node"/> only).</summary>
    public string? Node { get; }

    public static InventoryCoverage Cluster { get; } = new(CoverageKind.Cluster, [], null);
    public static InventoryCoverage Partial { get; } = new(CoverageKind.Partial, [], null);

    public static InventoryCoverage ForNamespaces(IEnumerable<string> namespaces)
    {
        var list = namespaces.Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? throw new ArgumentException("a namespace coverage needs at least one namespace", nameof(namespaces)) : new(CoverageKind.Namespaces, list, null);
    }

    public static InventoryCoverage ForNode(string node) =>
        string.IsNullOrWhiteSpace(node) ? throw new ArgumentException("a node coverage needs the node's name", nameof(node)) : new(CoverageKind.Node, [], node.Trim());

    public bool IsClusterWide => Kind == CoverageKind.Cluster;

    // The same scope is the same coverage, whichever list object holds the namespaces.
    public bool Equals(InventoryCoverage? other) => other is not null && Kind == other.Kind && Scope == other.Scope;
    public override int GetHashCode() => HashCode.Combine(Kind, Scope);

    /// <summary>The scope as one stored string: the namespaces joined by commas, the node's name, or "" (Kubernetes names
    /// hold no comma: they are DNS labels and subdomains).</summary>
    public string Scope => Kind switch
    {
        CoverageKind.Namespaces => string.Join(',', Namespaces),
        CoverageKind.Node => Node!,
        CoverageKind.Cluster or CoverageKind.Partial => "",
    };

    /// <summary>Rebuilds a stored coverage; an unusable scope reads as <see cref="Partial"/> (it then proves nothing).</summary>
    public static InventoryCoverage FromStored(CoverageKind kind, string? scope) => kind switch
    {
        CoverageKind.Cluster => Cluster,
        CoverageKind.Namespaces when !string.IsNullOrWhiteSpace(scope) => ForNamespaces(scope.Split(',')),
        CoverageKind.Node when !string.IsNullOrWhiteSpace(scope) => ForNode(scope),
        _ => Partial,
    };

    /// <summary>The CLI flag's and the API parameter's syntax: <c>cluster</c>, <c>namespaces:a,b</c> (or <c>namespace:a</c>),
    /// <c>node:NAME</c>, <c>partial</c>.</summary>
    public string ToWire() => Kind switch
    {
        CoverageKind.Cluster => "cluster",
        CoverageKind.Namespaces => "namespaces:" + Scope,
        CoverageKind.Node => "node:" + Node,
        CoverageKind.Partial => "partial",
    };

    public static bool TryParse(string? text, out InventoryCoverage? coverage, out string? error)
    {
        coverage = null;
        error = null;
        var t = text?.Trim() ?? "";
        var colon = t.IndexOf(':');
        var head = (colon < 0 ? t : t[..colon]).Trim().ToLowerInvariant();
        var tail = colon < 0 ? "" : t[(colon + 1)..].Trim();
        switch (head)
        {
            case "cluster" when tail.Length == 0:
                coverage = Cluster;
                return true;
            case "partial" when tail.Length == 0:
                coverage = Partial;
                return true;
            case "namespace" or "namespaces" when tail.Length > 0:
                var names = tail.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (names.Length > 0 && names.All(IsKubernetesName))
                {
                    coverage = ForNamespaces(names);
                    return true;
                }
                break;
            case "node" when IsKubernetesName(tail):
                coverage = ForNode(tail);
                return true;
        }
        error = $"coverage '{Shown(text)}' is not one of: cluster, namespaces:NAME[,NAME…], node:NAME, partial";
        return false;
    }

    /// <summary>Names as Kubernetes allows them (lower-case letters, digits, '-' and '.', at most 253): a coverage names
    /// namespaces and nodes and is shown in explanations, so nothing else is taken.</summary>
    private static bool IsKubernetesName(string s) =>
        s.Length is > 0 and <= 253 && s.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.');

    private static string Shown(string? text) => text is null ? "" : text.Length > 80 ? text[..80] + "…" : text;

    /// <summary>What it covers, for people: "cluster prod-eu", "namespace shop of cluster prod-eu", "node worker-1 of cluster prod-eu".</summary>
    public string Describe(string cluster) => Kind switch
    {
        CoverageKind.Cluster => ClusterName(cluster),
        CoverageKind.Namespaces => $"namespace{(Namespaces.Count == 1 ? "" : "s")} {string.Join(", ", Namespaces)} of {ClusterName(cluster)}",
        CoverageKind.Node => $"node {Node} of {ClusterName(cluster)}",
        CoverageKind.Partial => $"the workloads listed of {ClusterName(cluster)}",
    };

    internal static string ClusterName(string cluster) => cluster.Length == 0 ? "the unnamed cluster" : "cluster " + cluster;

    /// <summary>
    /// Whether a snapshot with this coverage would show the workload if it still ran, so that its absence from a newer
    /// snapshot means it stopped. A node's list covers the workloads last seen on that node; a partial one covers
    /// nothing it does not list.
    /// </summary>
    /// <param name="namespace">The workload's namespace.</param>
    /// <param name="lastSeenBy">The coverage of the snapshot that saw the workload last.</param>
    public bool Covers(string @namespace, InventoryCoverage lastSeenBy) => Kind switch
    {
        CoverageKind.Cluster => true,
        CoverageKind.Namespaces => Namespaces.Contains(@namespace, StringComparer.Ordinal),
        CoverageKind.Node => lastSeenBy.Kind == CoverageKind.Node && string.Equals(lastSeenBy.Node, Node, StringComparison.Ordinal),
        CoverageKind.Partial => false,
    };

    /// <summary>
    /// The coverage a pod list or report set shows by itself, for when the uploader does not state one. A kubelet
    /// <c>/pods</c> list (a PodList whose metadata has no resourceVersion, every pod on one node) covers that node; a
    /// list with pods of several namespaces covers the cluster (<c>kubectl get pods -A</c>); pods of one namespace cover
    /// that namespace (<c>-n x</c>); a single object or an empty list covers only itself. A list filtered by a label
    /// selector cannot be told apart: its uploader states <c>partial</c>.
    /// </summary>
    public static InventoryCoverage Derive(InventoryShape shape)
    {
        if (shape.SingleObject || shape.Namespaces.Count == 0) return Partial;
        if (shape.KubeletList && shape.Nodes.Count == 1 && !shape.PodsWithoutNode)
            return IsKubernetesName(shape.Nodes.Single()) ? ForNode(shape.Nodes.Single()) : Partial;
        if (shape.Namespaces.Count > 1) return Cluster;
        // A name Kubernetes would not accept is not kept as a scope (it is stored and shown): the list then proves nothing.
        return IsKubernetesName(shape.Namespaces.Single()) ? ForNamespaces(shape.Namespaces) : Partial;
    }

    /// <summary>Why <see cref="Derive"/> gave what it gave, for the ingest summary ("a kubelet /pods list of node n1").</summary>
    public static string Explain(InventoryShape shape, InventoryCoverage derived) => shape.SingleObject ? "a single object" : derived.Kind switch
    {
        CoverageKind.Node => $"a kubelet /pods list of node {derived.Node}",
        CoverageKind.Cluster => $"a list of {shape.Namespaces.Count} namespaces",
        CoverageKind.Namespaces => "a list of one namespace",
        CoverageKind.Partial => shape.Namespaces.Count == 0 ? "an empty list" : "a list naming a namespace or node Kubernetes would not accept",
    };
}

/// <summary>What a parser saw of an inventory's shape, from which its coverage is derived.</summary>
public sealed class InventoryShape
{
    /// <summary>A single Pod or VulnerabilityReport rather than a list.</summary>
    public bool SingleObject { get; set; }
    /// <summary>A PodList whose list metadata carries no resourceVersion: the kubelet's answer, not the API server's.</summary>
    public bool KubeletList { get; set; }
    public SortedSet<string> Namespaces { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> Nodes { get; } = new(StringComparer.Ordinal);
    /// <summary>Some pod names no node (not scheduled yet).</summary>
    public bool PodsWithoutNode { get; set; }
}
