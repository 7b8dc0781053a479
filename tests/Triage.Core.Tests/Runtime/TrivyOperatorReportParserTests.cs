using Triage.Core.Domain;
using Triage.Core.Runtime.Inventory;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class TrivyOperatorReportParserTests
{
    [FixtureFact]
    public async Task Parse_VulnerabilityReport_GivesInventoryAndTrivyScan()
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "k8s", "trivy-operator_vulnerabilityreport_many.json"));
        var (inventory, report) = await TrivyOperatorReportParser.ParseAsync(s, new InventoryOptions { Cluster = "kind" });

        var w = Assert.Single(inventory.Workloads);
        Assert.Equal(("default", "Deployment", "nginx-deployment", "nginx"), (w.Namespace, w.WorkloadKind, w.WorkloadName, w.Container));
        Assert.True(w.WorkloadInferred);
        Assert.Equal("index.docker.io/library/nginx", w.Image.Repository);
        Assert.Equal("alpine", w.Image.Tag);
        Assert.Null(w.Image.Digest); // trivy-operator 0.x with Trivy 0.38 recorded no digest
        Assert.Null(w.Replicas);

        Assert.Equal(ScannerKind.Trivy, report.Scanner);
        Assert.Equal("0.38.2", report.ScannerVersion);
        var target = Assert.Single(report.Targets);
        Assert.Equal(("k8s_workload", "default", "Deployment/nginx-deployment", "nginx"), (target.Kind, target.Namespace, target.Workload, target.Container));
        Assert.Equal(41, target.Observations.Count);
        var severities = target.Observations.Values.GroupBy(o => o.Severity).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, severities[Severity.Critical]);
        Assert.Equal(3, severities[Severity.High]);
        Assert.Equal(25, severities[Severity.Medium]);
        Assert.Equal(11, severities[Severity.Low]);
        var curl = target.Observations[("CVE-2023-23914", "unknown//curl@7.87.0-r1")];
        Assert.Equal(["7.87.0-r2"], curl.FixedVersions);
        Assert.Equal(FixState.Fixed, curl.FixState);
        Assert.Equal(4.2, curl.Cvss.Single().Score);
        Assert.Equal("curl: HSTS ignored on multiple requests", report.Vulnerabilities["CVE-2023-23914"].Title);
    }

    [Theory]
    [InlineData("nginx-deployment-965685897", "nginx-deployment")]
    [InlineData("api-7d4b9c6f5d", "api")]
    [InlineData("api-v2", null)]
    [InlineData("worker-abcdef", null)] // vowels never occur in a pod-template-hash
    public void StripPodTemplateHash_OnlyStripsHashAlphabetSuffix(string replicaSet, string? expected) =>
        Assert.Equal(expected, TrivyOperatorReportParser.StripPodTemplateHash(replicaSet));

    [Fact]
    public async Task Parse_ListWithDigestAndPurl_UsesThem()
    {
        const string json = """
            {"apiVersion":"v1","kind":"List","items":[{"apiVersion":"aquasecurity.github.io/v1alpha1","kind":"VulnerabilityReport",
              "metadata":{"name":"statefulset-db-postgres","namespace":"prod-data","labels":{"trivy-operator.resource.kind":"StatefulSet",
                "trivy-operator.resource.name":"db","trivy-operator.resource.namespace":"prod-data","trivy-operator.container.name":"postgres"}},
              "report":{"artifact":{"repository":"library/postgres","tag":"16","digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
                "registry":{"server":"index.docker.io"},"os":{"family":"debian","name":"12.5"},"scanner":{"name":"Trivy","version":"0.50.1"},
                "vulnerabilities":[{"vulnerabilityID":"CVE-2024-0001","resource":"libpq5","installedVersion":"15.6-0+deb12u1","fixedVersion":"",
                  "severity":"HIGH","packagePURL":"pkg:deb/debian/libpq5@15.6-0+deb12u1?arch=amd64"}]}}]}
            """;
        var (inventory, report) = await TrivyOperatorReportParser.ParseAsync(Streams.Of(json));
        var w = Assert.Single(inventory.Workloads);
        Assert.Equal(("StatefulSet", "db", "prod"), (w.WorkloadKind, w.WorkloadName, w.Environment));
        Assert.Equal("index.docker.io/library/postgres@sha256:" + new string('b', 64), w.Image.RepoDigest);
        var pkg = Assert.Single(report.Targets.Single().Packages.Values);
        Assert.Equal("deb", pkg.Type);
        Assert.Equal(FixState.Unknown, report.Targets.Single().Observations.Values.Single().FixState);
    }
}
