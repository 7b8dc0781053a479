using Triage.Core.Domain;
using Triage.Core.Ingest;

namespace Triage.Core.Tests.Ingest;

public sealed class GrypeReportParserTests
{
    [Fact]
    public async Task Parse_SourceAfterMatches_FillsTheTargetCreatedFirst()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");

        var t = Assert.Single(report.Targets);
        Assert.Equal(ScannerKind.Grype, report.Scanner);
        Assert.Equal("registry.example/app:2.0", t.Name);
        Assert.Equal("container_image", t.Kind);
        Assert.Equal("sha256:" + new string('5', 64), t.ImageId);
        Assert.Equal("sha256:" + new string('6', 64), t.ManifestDigest);
        Assert.Equal(["registry.example/app@sha256:" + new string('7', 64)], t.RepoDigests);
        Assert.Equal(["registry.example/app:2.0"], t.Tags);
        Assert.Equal(("redhat", "9.3"), (t.OsFamily, t.OsName));
        Assert.Equal("0.110.0", report.ScannerVersion);
        Assert.Equal("grype db v6.1.4 built 2026-03-30T06:50:11Z", report.DatabaseInfo);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 6, 0, 0, 500, TimeSpan.Zero), report.CreatedAt!.Value.ToUniversalTime());
        Assert.Equal(4, t.Observations.Count);
    }

    [Fact]
    public async Task Parse_GhsaMatch_RelatedCveIsAliasAndEpssKevCweGoToTheCve()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var t = report.Targets[0];

        var o = t.Observation("GHSA-jfh8-c2jp-5v3q");
        Assert.Equal(["CVE-2021-44228"], o.Aliases);
        Assert.Empty(o.Upstream);
        Assert.Equal(Severity.Critical, o.Severity);
        Assert.Equal("github:language:java", o.SeveritySource);
        Assert.Equal(FixState.Fixed, o.FixState);
        Assert.Equal("fixed", o.Status);
        Assert.Equal(["2.15.0", "2.12.2"], o.FixedVersions);
        Assert.Equal(98.5, o.RiskScore);
        var cve = report.Vulnerabilities["CVE-2021-44228"];
        Assert.Equal(0.94358, cve.EpssScore);
        Assert.Equal(0.99957, cve.EpssPercentile);
        Assert.Equal(new DateOnly(2026, 3, 29), cve.EpssDate);
        Assert.True(cve.KnownExploited);
        Assert.Equal(["CWE-502"], cve.Cwes);
        Assert.Equal("nvd:cpe", cve.DataSource);
        Assert.StartsWith("Apache Log4j2", cve.Description);
        var ghsa = report.Vulnerabilities["GHSA-jfh8-c2jp-5v3q"];
        Assert.Equal([new CvssScore("nvd@nist.gov", "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)], ghsa.Cvss);
        Assert.Null(ghsa.KnownExploited);
    }

    [Fact]
    public async Task Parse_JavaArtifact_UsesPurlForTypeAndNamespaceAndKeepsLocationAndLayer()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var t = report.Targets[0];

        var pkg = t.PackageOf(t.Observation("GHSA-jfh8-c2jp-5v3q"));
        Assert.Equal(("maven", "org.apache.logging.log4j", "log4j-core", "2.14.1"), (pkg.Type, pkg.Namespace, pkg.Name, pkg.Version));
        Assert.Equal(["/opt/app/lib/log4j-core-2.14.1.jar"], pkg.Paths);
        Assert.Equal("sha256:" + new string('3', 64), pkg.Layer);
    }

    [Fact]
    public async Task Parse_DistroAdvisoryMatch_RelatedCvesAreAliasesAndAdvisoryIsUpstream()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var t = report.Targets[0];

        var o = t.Observation("RHSA-2024:1234");
        Assert.Equal(["CVE-2024-0727", "CVE-2023-5678"], o.Aliases);
        var pkg = t.PackageOf(o);
        Assert.Equal(("openssl", "3.0.7-25.el9_3"), (pkg.SourceName, pkg.SourceVersion));
        Assert.Equal("1", pkg.Qualifiers["epoch"]);
        Assert.Equal("rpm", pkg.Type);
    }

    [Fact]
    public async Task Parse_CveMatchWithRelatedDistroAdvisory_PutsAdvisoryInUpstreamNotAliases()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var t = report.Targets[0];

        var o = t.Observation("CVE-2023-24329");
        Assert.Equal(["ELSA-2023-12345"], o.Upstream);
        Assert.Empty(o.Aliases);
        Assert.Equal(FixState.WontFix, o.FixState);
    }

    [Fact]
    public async Task Parse_VersionWithNulCharacter_IsStoredExactly()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var t = report.Targets[0];

        var pkg = t.PackageOf(t.Observation("CVE-2023-24329"));
        Assert.Equal("3\u00006", pkg.Version);
        Assert.Equal("python", pkg.Name);
    }

    [Fact]
    public async Task Parse_NegligibleAndNotFixed_MapToLowAndNotFixed()
    {
        var report = await LocalFixtures.ParseAsync("grype-current.json");
        var o = report.Targets[0].Observation("CVE-2024-9999");

        Assert.Equal(Severity.Low, o.Severity);
        Assert.Equal(FixState.NotFixed, o.FixState);
    }

    [Fact]
    public async Task Parse_Grype07Layout_ReadsObjectMatchDetailsOldCvssAndFixedInVersion()
    {
        var report = await LocalFixtures.ParseAsync("grype-0.7.json");
        var t = Assert.Single(report.Targets);

        Assert.Equal("0.7.0", report.ScannerVersion);
        Assert.Equal("debian:10", t.Name);
        var bash = report.Vulnerabilities["CVE-2019-18276"];
        Assert.Equal([new CvssScore("grype", "2.0", "AV:L/AC:L/Au:N/C:C/I:C/A:C", 7.2), new CvssScore("grype", "3.1", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8)], bash.Cvss);
        Assert.Equal(["https://security-tracker.debian.org/tracker/CVE-2019-18276"], bash.References);
        var ssl = t.Observation("CVE-2020-1967");
        Assert.Equal(["1.1.1d-0+deb10u3"], ssl.FixedVersions);
        Assert.Equal(FixState.Fixed, ssl.FixState);
        Assert.Null(ssl.Status);
        Assert.Equal(FixState.Unknown, t.Observation("CVE-2019-18276").FixState);
    }

    [Theory]
    [InlineData("fixed", false, FixState.Fixed)]
    [InlineData("not-fixed", false, FixState.NotFixed)]
    [InlineData("wont-fix", false, FixState.WontFix)]
    [InlineData("unknown", true, FixState.Unknown)]
    [InlineData(null, true, FixState.Fixed)]
    [InlineData("", false, FixState.Unknown)]
    public void MapFixState_CoversGrypeStates(string? state, bool hasFixedVersion, FixState expected) =>
        Assert.Equal(expected, Triage.Core.Ingest.Grype.GrypeReportParser.MapFixState(state, hasFixedVersion));
}
