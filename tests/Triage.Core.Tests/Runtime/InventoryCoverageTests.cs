using System.Text.Json.Nodes;
using Triage.Core.Runtime.Inventory;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

/// <summary>What an inventory covers: derived from the real kubelet list and from kubectl-shaped lists built from it, or stated.</summary>
public class InventoryCoverageTests
{
    private static JsonNode KubeletList() => JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("runtime", "k8s", "kubelet_pods.json")))!;

    private static async Task<DeploymentInventory> Parse(JsonNode list, InventoryCoverage? stated = null) =>
        await KubernetesPodListParser.ParseAsync(Streams.Of(list.ToJsonString()), new InventoryOptions { Cluster = "home", Coverage = stated });

    /// <summary>The kubelet's pods as `kubectl get pods [-n NS] -o json` prints them: kind List with an empty resourceVersion.</summary>
    private static JsonNode AsKubectl(JsonNode kubelet, string? onlyNamespace = null)
    {
        var items = new JsonArray();
        foreach (var pod in kubelet["items"]!.AsArray())
            if (onlyNamespace is null || pod!["metadata"]!["namespace"]!.GetValue<string>() == onlyNamespace) items.Add(pod!.DeepClone());
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["metadata"] = new JsonObject { ["resourceVersion"] = "" }, ["items"] = items };
    }

    [FixtureFact]
    public async Task Derive_KubeletPodList_CoversItsNodeOnly()
    {
        var inv = await Parse(KubeletList());
        Assert.Equal(InventoryCoverage.ForNode("duckboat-01"), inv.Coverage);
        Assert.False(inv.CoverageStated);
        Assert.Equal("a kubelet /pods list of node duckboat-01", inv.CoverageBasis);
        Assert.Equal("node:duckboat-01", inv.Coverage.ToWire());
    }

    [FixtureFact]
    public async Task Derive_KubectlListOfSeveralNamespaces_CoversTheCluster()
    {
        var inv = await Parse(AsKubectl(KubeletList()));
        Assert.Equal(InventoryCoverage.Cluster, inv.Coverage);
        Assert.Equal("a list of 8 namespaces", inv.CoverageBasis);
    }

    [FixtureFact]
    public async Task Derive_ApiServerPodList_IsNotTakenForTheKubelet()
    {
        // `kubectl get --raw /api/v1/pods` answers a PodList too, but the API server versions it.
        var list = KubeletList();
        list["metadata"] = new JsonObject { ["resourceVersion"] = "4711" };
        Assert.Equal(InventoryCoverage.Cluster, (await Parse(list)).Coverage);
    }

    [FixtureFact]
    public async Task Derive_KubectlListOfOneNamespace_CoversThatNamespace()
    {
        var inv = await Parse(AsKubectl(KubeletList(), "olly"));
        Assert.Equal(InventoryCoverage.ForNamespaces(["olly"]), inv.Coverage);
        Assert.Equal("namespace olly of cluster home", inv.Coverage.Describe("home"));
    }

    [FixtureFact]
    public async Task Derive_SinglePodOrEmptyList_CoversOnlyItself()
    {
        var pod = KubeletList()["items"]![0]!.DeepClone();
        pod["kind"] = "Pod";
        Assert.Equal(InventoryCoverage.Partial, (await Parse(pod)).Coverage);
        var empty = AsKubectl(KubeletList(), "no-such-namespace");
        var inv = await Parse(empty);
        Assert.Equal((InventoryCoverage.Partial, "an empty list"), (inv.Coverage, inv.CoverageBasis));
    }

    [FixtureFact]
    public async Task Derive_NamespaceNameKubernetesWouldRefuse_IsNotKeptAsAScope()
    {
        var list = AsKubectl(KubeletList(), "olly");
        foreach (var pod in list["items"]!.AsArray()) pod!["metadata"]!["namespace"] = "olly,<script>alert(1)</script>";
        Assert.Equal(InventoryCoverage.Partial, (await Parse(list)).Coverage);
    }

    [FixtureFact]
    public async Task Stated_OverridesTheDerivedCoverage_AndWarnsAboutPodsOutsideIt()
    {
        var inv = await Parse(KubeletList(), InventoryCoverage.Cluster);
        Assert.Equal((InventoryCoverage.Cluster, true, "stated by the uploader"), (inv.Coverage, inv.CoverageStated, inv.CoverageBasis));

        var narrow = await Parse(AsKubectl(KubeletList()), InventoryCoverage.ForNamespaces(["olly", "nginx"]));
        Assert.Equal("namespaces:nginx,olly", narrow.Coverage.ToWire());
        Assert.Contains(narrow.Warnings, w => w.StartsWith("coverage namespaces:nginx,olly was stated, but the list also has pods in", StringComparison.Ordinal));
    }

    [FixtureFact]
    public async Task Derive_TrivyOperator_OneReportIsPartial_ReportsOfSeveralNamespacesCoverTheCluster()
    {
        var report = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("runtime", "k8s", "trivy-operator_vulnerabilityreport_many.json")))!;
        var single = await TrivyOperatorReportParser.ParseAsync(Streams.Of(report.ToJsonString()), new InventoryOptions { Cluster = "prod-eu" });
        Assert.Equal((InventoryCoverage.Partial, "a single object"), (single.Inventory.Coverage, single.Inventory.CoverageBasis));

        var other = report.DeepClone();
        other["metadata"]!["labels"]!["trivy-operator.resource.namespace"] = "shop";
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(report.DeepClone(), other) };
        var both = await TrivyOperatorReportParser.ParseAsync(Streams.Of(list.ToJsonString()), new InventoryOptions { Cluster = "prod-eu" });
        Assert.Equal(InventoryCoverage.Cluster, both.Inventory.Coverage);
    }

    [Theory]
    [InlineData("cluster", "cluster")]
    [InlineData(" Cluster ", "cluster")]
    [InlineData("partial", "partial")]
    [InlineData("namespace:shop", "namespaces:shop")]
    [InlineData("namespaces: shop , payments,shop", "namespaces:payments,shop")]
    [InlineData("node:worker-1.eu", "node:worker-1.eu")]
    public void TryParse_TheFlagSyntax_RoundTrips(string text, string wire)
    {
        Assert.True(InventoryCoverage.TryParse(text, out var coverage, out var error), error);
        Assert.Equal(wire, coverage!.ToWire());
        Assert.True(InventoryCoverage.TryParse(wire, out var again, out _));
        Assert.Equal(coverage, again);
    }

    [Theory]
    [InlineData("")]
    [InlineData("everything")]
    [InlineData("cluster:prod")]
    [InlineData("namespaces:")]
    [InlineData("namespaces:Shop")]
    [InlineData("node:")]
    [InlineData("node:a,b")]
    [InlineData("namespace:<img src=x onerror=alert(1)>")]
    public void TryParse_AnythingElse_IsRefusedWithTheSyntax(string text)
    {
        Assert.False(InventoryCoverage.TryParse(text, out var coverage, out var error));
        Assert.Null(coverage);
        Assert.EndsWith("is not one of: cluster, namespaces:NAME[,NAME…], node:NAME, partial", error);
    }

    [Fact]
    public void TryParse_LongInput_IsCutInTheMessage()
    {
        Assert.False(InventoryCoverage.TryParse(new string('x', 5000), out _, out var error));
        Assert.True(error!.Length < 200);
    }

    [Fact]
    public void Covers_ClusterAll_NamespacesTheirOwn_NodeWhatItSawLast_PartialNothing()
    {
        var onNode1 = InventoryCoverage.ForNode("n1");
        var byCluster = InventoryCoverage.Cluster;
        Assert.True(InventoryCoverage.Cluster.Covers("shop", byCluster));
        Assert.True(InventoryCoverage.ForNamespaces(["shop"]).Covers("shop", byCluster));
        Assert.False(InventoryCoverage.ForNamespaces(["shop"]).Covers("payments", byCluster));
        Assert.True(InventoryCoverage.ForNode("n1").Covers("shop", onNode1));
        Assert.False(InventoryCoverage.ForNode("n2").Covers("shop", onNode1));
        Assert.False(InventoryCoverage.ForNode("n1").Covers("shop", byCluster)); // seen by a cluster-wide list: on which node is not known
        Assert.False(InventoryCoverage.Partial.Covers("shop", InventoryCoverage.Partial));
    }

    [Fact]
    public void FromStored_ReadsWhatIsStored_AndAnEmptyScopeAsPartial()
    {
        Assert.Equal(InventoryCoverage.ForNamespaces(["a", "b"]), InventoryCoverage.FromStored(CoverageKind.Namespaces, "a,b"));
        Assert.Equal(InventoryCoverage.ForNode("n1"), InventoryCoverage.FromStored(CoverageKind.Node, "n1"));
        Assert.Equal(InventoryCoverage.Partial, InventoryCoverage.FromStored(CoverageKind.Node, ""));
        Assert.Equal(InventoryCoverage.Cluster, InventoryCoverage.FromStored(CoverageKind.Cluster, ""));
    }
}

/// <summary>When an image no current workload runs is "not running", and what is said when it is not known.</summary>
public class AbsenceRuleTests
{
    private static Dictionary<string, IReadOnlyCollection<InventoryCoverage>> Coverage(params (string Cluster, InventoryCoverage Coverage)[] snapshots) =>
        snapshots.GroupBy(s => s.Cluster).ToDictionary(g => g.Key, g => (IReadOnlyCollection<InventoryCoverage>)g.Select(s => s.Coverage).ToList());

    [Fact]
    public void Judge_RepositorySeenInAClusterWithOnlyANamespaceList_Unknown()
    {
        var gap = AbsenceRule.Judge(Coverage(("prod-eu", InventoryCoverage.ForNamespaces(["shop"]))), ["prod-eu"], allClustersInventoried: false);
        Assert.NotNull(gap);
        Assert.False(gap.RepositoryNotSeen);
        Assert.Equal("not seen in the inventories, which cover only namespace shop of cluster prod-eu", gap.Describe());
    }

    [Fact]
    public void Judge_RepositorySeenInAClusterWithAClusterWideList_NotRunning()
    {
        var coverage = Coverage(("prod-eu", InventoryCoverage.ForNamespaces(["shop"])), ("prod-eu", InventoryCoverage.Cluster));
        Assert.Null(AbsenceRule.Judge(coverage, ["prod-eu"], allClustersInventoried: false));
    }

    [Fact]
    public void Judge_EveryClusterWhereTheRepositoryWasSeenMustBeCovered()
    {
        var coverage = Coverage(("a", InventoryCoverage.Cluster), ("b", InventoryCoverage.ForNode("n1")), ("b", InventoryCoverage.ForNode("n2")),
            ("b", InventoryCoverage.ForNamespaces(["shop"])), ("c", InventoryCoverage.ForNode("n9")));
        var gap = AbsenceRule.Judge(coverage, ["a", "b"], allClustersInventoried: true);
        // Cluster c never showed the repository: it does not matter.
        Assert.Equal(["cluster a", "namespace shop and nodes n1, n2 of cluster b"], gap!.Covered);
        Assert.Equal("not seen in the inventories, which cover only cluster a and namespace shop and nodes n1, n2 of cluster b", gap.Describe());
        Assert.Null(AbsenceRule.Judge(coverage, ["a"], allClustersInventoried: false));
    }

    [Fact]
    public void Judge_RepositoryNeverSeen_UnknownUnlessEveryClusterIsDeclaredInventoried()
    {
        var coverage = Coverage(("prod-eu", InventoryCoverage.Cluster), ("", InventoryCoverage.Cluster));
        var gap = AbsenceRule.Judge(coverage, [], allClustersInventoried: false);
        Assert.True(gap!.RepositoryNotSeen);
        Assert.Equal("not seen in the inventories, which cover only the unnamed cluster and cluster prod-eu, where its repository was never seen", gap.Describe());
        Assert.Null(AbsenceRule.Judge(coverage, [], allClustersInventoried: true));
        // A repository seen only where no inventory is kept any more counts as never seen.
        Assert.Null(AbsenceRule.Judge(coverage, ["gone"], allClustersInventoried: true));
    }

    [Fact]
    public void Judge_RepositoryNeverSeen_DeclaredButOneClusterPartial_Unknown()
    {
        var coverage = Coverage(("a", InventoryCoverage.Cluster), ("b", InventoryCoverage.Partial));
        var gap = AbsenceRule.Judge(coverage, [], allClustersInventoried: true);
        Assert.Equal(["cluster a", "the workloads listed of cluster b"], gap!.Covered);
    }

    [Fact]
    public void Judge_ManyNodes_AreShortened()
    {
        var coverage = Coverage(Enumerable.Range(1, 8).Select(i => ("a", InventoryCoverage.ForNode($"n{i}"))).ToArray());
        Assert.Equal(["nodes n1, n2, n3, n4, n5 and 3 more of cluster a"], AbsenceRule.Judge(coverage, ["a"], false)!.Covered);
    }

    [Fact]
    public void Judge_WithoutInventories_IsNotAsked() =>
        Assert.Throws<ArgumentException>(() => AbsenceRule.Judge(new Dictionary<string, IReadOnlyCollection<InventoryCoverage>>(), [], false));
}
