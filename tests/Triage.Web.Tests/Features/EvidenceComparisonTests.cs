using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Web.Features.Findings;

namespace Triage.Web.Tests.Features;

public sealed class EvidenceComparisonTests
{
    private static ObservationView Obs(string scanner, Severity severity, string[] fixedIn, FixState state, bool active = true, string? cvss = null) =>
        new(scanner, "CVE-2024-1", severity, fixedIn, state, null, active, "nvd", cvss, null);

    [Fact]
    public void OneFixedOneNot_MarksFixRowsAsDisagreeing()
    {
        var rows = EvidenceComparison.Compare([Obs("trivy", Severity.High, ["1.2.3"], FixState.Fixed), Obs("grype", Severity.High, [], FixState.NotFixed)]);
        Assert.True(rows.Single(r => r.Label == "Fixed in").Disagree);
        Assert.True(rows.Single(r => r.Label == "Fix state").Disagree);
        Assert.False(rows.Single(r => r.Label == "Severity").Disagree);
        Assert.Equal(["1.2.3", "no fix"], rows.Single(r => r.Label == "Fixed in").Values);
    }

    [Fact]
    public void DifferentSeverities_Disagree_ButAnInactiveObservationDoesNotCount()
    {
        Assert.True(EvidenceComparison.Compare([Obs("trivy", Severity.High, [], FixState.NotFixed), Obs("grype", Severity.Medium, [], FixState.NotFixed)])
            .Single(r => r.Label == "Severity").Disagree);
        Assert.False(EvidenceComparison.AnyDisagreement(EvidenceComparison.Compare(
            [Obs("trivy", Severity.High, [], FixState.NotFixed), Obs("grype", Severity.Low, ["9"], FixState.Fixed, active: false)])));
    }

    [Fact]
    public void CvssRow_ShowsTheScoresOfEachScannersOwnVulnerabilityRecord()
    {
        var trivy = Obs("trivy", Severity.High, [], FixState.NotFixed);
        var grype = Obs("grype", Severity.High, [], FixState.NotFixed, cvss: """[{"source":"grype","version":"3.1","score":7.0}]""") with { RawId = "GHSA-aaaa-bbbb-cccc" };
        var records = new Dictionary<string, string?>
        {
            ["CVE-2024-1"] = """[{"source":"nvd","version":"3.1","vector":"CVSS:3.1/AV:N","score":9.8}]""",
            ["GHSA-aaaa-bbbb-cccc"] = """[{"source":"github","version":"3.1","score":7.5}]""",
        };
        var row = EvidenceComparison.Compare([trivy, grype], records).Single(r => r.Label == "CVSS");
        // Trivy's observation carries none: its record's; Grype's observation has its own, which wins.
        Assert.Equal(["9.8 (nvd v3.1)", "7.0 (grype v3.1)"], row.Values);
        Assert.Equal(["", ""], EvidenceComparison.Compare([trivy, trivy with { RawId = "CVE-2024-9" }]).Single(r => r.Label == "CVSS").Values);
    }

    [Fact]
    public void SingleScanner_NeverDisagrees()
    {
        Assert.False(EvidenceComparison.AnyDisagreement(EvidenceComparison.Compare([Obs("trivy", Severity.Critical, ["2"], FixState.Fixed)])));
    }

    [Fact]
    public void ParseCvss_ReadsEntries_AndSurvivesGarbage()
    {
        var entries = EvidenceComparison.ParseCvss("""[{"source":"nvd","version":"3.1","vector":"CVSS:3.1/AV:N","score":9.8},{"source":"ghsa","version":"3.1"}]""");
        Assert.Equal(2, entries.Count);
        Assert.Equal(9.8, entries[0].Score);
        Assert.Null(entries[1].Score);
        Assert.Empty(EvidenceComparison.ParseCvss("{not json"));
        Assert.Empty(EvidenceComparison.ParseCvss("{\"a\":1}"));
    }

    [Theory]
    [InlineData("CVE-2024-1234", "https://nvd.nist.gov/vuln/detail/CVE-2024-1234")]
    [InlineData("GHSA-abcd-efgh-ijkl", "https://github.com/advisories/GHSA-abcd-efgh-ijkl")]
    [InlineData("ALPINE-CVE-1", "https://osv.dev/vulnerability/ALPINE-CVE-1")]
    public void AdvisoryLinks_PointAtTheRightDatabase(string id, string url) => Assert.Equal(url, AdvisoryLinks.For(id));

    [Theory]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("data:text/html,<b>", null)]
    [InlineData("https://example.test/a?b=1", "https://example.test/a?b=1")]
    public void SafeUrl_KeepsOnlyHttp(string url, string? expected) => Assert.Equal(expected, AdvisoryLinks.SafeUrl(url));
}
