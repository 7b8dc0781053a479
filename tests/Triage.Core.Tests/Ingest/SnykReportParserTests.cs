using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Core.Ingest.Snyk;

namespace Triage.Core.Tests.Ingest;

public sealed class SnykReportParserTests
{
    [Fact]
    public async Task Parse_ContainerWithApplications_IsOneImageTargetWithOsAndAppPackages()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");

        var t = Assert.Single(report.Targets);
        Assert.Equal(ScannerKind.Snyk, report.Scanner);
        Assert.Equal("container_image", t.Kind);
        Assert.Equal("registry.example/app:2.0", t.Name);
        Assert.Equal("debian:12-slim", t.BaseImage);
        Assert.Equal(["deb", "npm"], t.Packages.Values.Select(p => p.Type).Distinct().Order());
        var lodash = t.PackageOf(t.Observation("SNYK-JS-LODASH-567746"));
        Assert.Equal(["/srv/app/package.json"], lodash.Paths);
        Assert.Equal(1, report.Skipped["binary packages with vulnerabilities (docker.binariesVulns)"]);
    }

    [Fact]
    public async Task Parse_OsPackageSourceSlashBinary_KeepsBinaryAsNameAndSourceAsSourceName()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");
        var t = report.Targets[0];

        var libc = t.PackageOf(t.Observation("SNYK-DEBIAN12-GLIBC-100"));
        Assert.Equal(("libc6", "glibc", "2.36-9+deb12u4", "deb"), (libc.Name, libc.SourceName, libc.Version, libc.Type));
        var zlib = t.PackageOf(t.Observation("SNYK-DEBIAN12-ZLIB-300"));
        Assert.Equal(("zlib1g", null), (zlib.Name, zlib.SourceName));
    }

    [Fact]
    public async Task Parse_IssueRepeatedPerDependencyPath_CollapsesIntoOneObservationWithAllPaths()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");
        var o = report.Targets[0].Observation("SNYK-DEBIAN12-GLIBC-100");

        Assert.Equal(
            ["docker-image|app@2.0 > glibc/libc6@2.36-9+deb12u4", "docker-image|app@2.0 > meta-pkg@1 > glibc/libc6@2.36-9+deb12u4"],
            o.DependencyPaths);
        Assert.Equal(["CVE-2024-2961"], o.Aliases);
        Assert.Equal(Severity.High, o.Severity);
        Assert.Equal(FixState.NotFixed, o.FixState);
    }

    [Fact]
    public async Task Parse_IssueNamingTwoCves_KeepsBothAsAliasesOfOneObservation()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");
        var o = report.Targets[0].Observation("SNYK-DEBIAN12-KRB5-200");

        Assert.Equal(["CVE-2024-37370", "CVE-2024-37371"], o.Aliases);
        Assert.Equal(["SUSE-SU-2024:2196-1"], o.Upstream);
        Assert.Equal(["1.20.1-2+deb12u2"], o.FixedVersions);
        Assert.Equal(FixState.Fixed, o.FixState);
        Assert.Equal(Severity.Critical, o.Severity);
    }

    [Fact]
    public async Task Parse_AppIssue_KeepsGhsaAliasNspUpstreamFixReachabilityAndRisk()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");
        var o = report.Targets[0].Observation("SNYK-JS-LODASH-567746");

        Assert.Equal(["CVE-2020-8203", "GHSA-p6mc-m468-83gw"], o.Aliases);
        Assert.Equal(["NSP-1523"], o.Upstream);
        Assert.Equal((true, false), (o.IsUpgradable, o.IsPatchable));
        Assert.Equal(FixState.Fixed, o.FixState);
        Assert.Equal(["4.17.19"], o.FixedVersions);
        Assert.Equal("reachable", o.Reachability);
        Assert.Equal(650, o.RiskScore);
        Assert.Equal(ObservationKind.Vulnerability, o.Kind);
    }

    [Fact]
    public async Task Parse_LicenceIssue_IsKeptAsLicenseObservation()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");

        Assert.Equal(ObservationKind.License, report.Targets[0].Observation("snyk:lic:npm:fuzzball:GPL-2.0").Kind);
    }

    [Fact]
    public async Task Parse_VulnerabilityRecord_KeepsCvssEpssCweDatesAndReferences()
    {
        var report = await LocalFixtures.ParseAsync("snyk-container-apps.json");
        var v = report.Vulnerabilities["SNYK-DEBIAN12-GLIBC-100"];

        Assert.Equal([new CvssScore("snyk", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8)], v.Cvss);
        Assert.Equal(0.01234, v.EpssScore);
        Assert.Equal(0.95, v.EpssPercentile);
        Assert.Equal(["CWE-787"], v.Cwes);
        Assert.Equal(["https://security-tracker.debian.org/tracker/CVE-2024-2961"], v.References);
        Assert.Equal(new DateTimeOffset(2024, 4, 17, 0, 0, 0, TimeSpan.Zero), v.PublishedAt);
        Assert.Equal(Severity.High, v.SeverityBySource["nvd"]);
        Assert.Empty(report.Vulnerabilities["SNYK-DEBIAN12-ZLIB-300"].Cvss);
    }

    [Fact]
    public async Task Parse_AllProjectsWithOneFailedProject_KeepsTheOtherAndWarns()
    {
        var report = await LocalFixtures.ParseAsync("snyk-all-projects-partial-error.json");

        var t = Assert.Single(report.Targets);
        Assert.Equal(("project", "com.acme:svc", "svc/pom.xml"), (t.Kind, t.Name, t.ProjectFile));
        var pkg = t.PackageOf(t.Observation("SNYK-JAVA-ORGAPACHECOMMONS-1234"));
        Assert.Equal(("maven", "org.apache.commons:commons-text"), (pkg.Type, pkg.Name));
        Assert.Contains(report.Warnings, w => w.Contains("Could not find the lockfile of project web", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("docker-image|sarim04/juiceshop", "sarim04/juiceshop:latest/juiceshop", "sarim04/juiceshop:latest")]
    [InlineData("docker-image|vulnerable", "vulnerable:latest", "vulnerable:latest")]
    [InlineData("docker-image|r.example/a/b", "r.example/a/b@sha256:14dd/a/b", "r.example/a/b@sha256:14dd")]
    [InlineData("docker-image|a_engine", "docker-archive:a_engine:8.2.tar", "docker-archive:a_engine:8.2.tar")]
    [InlineData("docker-image|x", null, "x")]
    public void ImageName_TakesTagOrDigestFromPath(string projectName, string? path, string expected) =>
        Assert.Equal(expected, SnykReportParser.ImageName(projectName, path));
}
