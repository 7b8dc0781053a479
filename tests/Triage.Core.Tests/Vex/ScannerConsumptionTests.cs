using Triage.Core.Identity;
using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;
using Triage.Core.Vex.OpenVex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

/// <summary>
/// Our OpenVEX export, applied with Trivy's and Grype's documented rules (an independent helper, <see cref="ScannerVexRules"/>)
/// to the real alpine:3.19 scans, suppresses exactly the findings Triage considers not_affected or fixed in that image:
/// no more (a global not_affected overridden by an older image-specific affected stays visible), no less (Grype's and
/// Trivy's different purl qualifiers for the same package both match).
/// </summary>
public class ScannerConsumptionTests
{
    private static ScannerVexRules.Document Export() => new(OpenVexWriter.Write(AlpineScenario.Request()).Json);

    private static string Name(string purl) => Purl.Parse(purl).Name;

    [FixtureFact]
    public void Trivy_SuppressesExactlyTheImagesNotAffectedAndFixedFindings()
    {
        var doc = Export();
        var scan = AlpineScenario.Trivy();
        var suppressed = scan.Findings.Where(f => doc.TrivySuppresses(scan.RepoDigests, f.VulnerabilityId, f.Purl))
            .Select(f => (f.VulnerabilityId, Name(f.Purl))).Order().ToArray();
        var expected = AlpineScenario.Suppressed.Where(s => scan.Findings.Any(f => f.VulnerabilityId == s.Vuln && Name(f.Purl) == s.Package)).Order().ToArray();
        Assert.Equal(expected, suppressed);
        Assert.Equal(3, suppressed.Length);
        Assert.Equal(ExpectedFromResolver(scan), suppressed);
    }

    [FixtureFact]
    public void Grype_IgnoresExactlyTheImagesNotAffectedAndFixedMatches()
    {
        var doc = Export();
        var scan = AlpineScenario.Grype();
        var ignored = scan.Findings.Where(f => doc.GrypeIgnores(scan.RepoDigests, scan.Tags, f.VulnerabilityId, f.Purl))
            .Select(f => (f.VulnerabilityId, Name(f.Purl))).Order().ToArray();
        Assert.Equal(AlpineScenario.Suppressed.Order().ToArray(), ignored);
        Assert.Equal(ExpectedFromResolver(scan), ignored);
    }

    [FixtureFact]
    public void Scanners_DoNotApplyTheExportToAnotherImage()
    {
        var doc = Export();
        var other = AlpineScenario.Grype() with { RepoDigests = ["alpine@sha256:" + new string('9', 64)], Tags = ["alpine:3.20"] };
        Assert.DoesNotContain(other.Findings, f => doc.GrypeIgnores(other.RepoDigests, other.Tags, f.VulnerabilityId, f.Purl));
        Assert.DoesNotContain(other.Findings, f => doc.TrivySuppresses(other.RepoDigests, f.VulnerabilityId, f.Purl));
    }

    /// <summary>What Triage itself says for each finding of the scan.</summary>
    private static (string, string)[] ExpectedFromResolver(ScannedImage scan) => scan.Findings
        .Where(f => VexResolver.Resolve(new VexFinding(AlpineScenario.Repository, AlpineScenario.Digest, Purl.Parse(f.Purl), [f.VulnerabilityId, .. f.Aliases], ["platform"]),
            AlpineScenario.Statements(), AlpineScenario.Now).Effective?.Status is VexStatus.NotAffected or VexStatus.Fixed)
        .Select(f => (f.VulnerabilityId, Name(f.Purl))).Order().ToArray();
}
