using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

/// <summary>Export → import → match → resolve gives every finding the effective status it had before, in all three formats.</summary>
public class VexRoundTripTests
{
    [FixtureTheory]
    [InlineData(VexFormat.OpenVex)]
    [InlineData(VexFormat.CycloneDx)]
    [InlineData(VexFormat.Csaf)]
    public void ExportThenImport_KeepsEveryFindingsEffectiveStatus(VexFormat format)
    {
        var request = AlpineScenario.Request();
        var exported = VexWriter.Write(format, request);

        var doc = VexDocumentReader.Read(exported.Json);
        Assert.Equal(format, doc.Format);
        Assert.Equal("security@example.com", doc.Author);
        var result = VexMatcher.Match(doc, [AlpineScenario.InventoryImage()], VexTrustPolicy.TrustAll, AlpineScenario.Now);
        Assert.Empty(result.Unmatched);
        Assert.Empty(result.Rejected);
        Assert.All(result.Decisions, d => Assert.IsType<VexScope.Digest>(d.Scope));

        var image = AlpineScenario.ExportImage();
        var compared = 0;
        foreach (var f in image.Findings)
        {
            var finding = new VexFinding(image.Repository, image.Digest, f.Package, f.VulnerabilityIds, image.Teams);
            var before = VexResolver.Resolve(finding, request.Statements, request.Now).Effective;
            var after = VexResolver.Resolve(finding, result.Decisions, request.Now).Effective;
            Assert.Equal(before?.Status, after?.Status);
            if (before?.Status == VexStatus.NotAffected)
                Assert.True(after!.Justification is not null || after.CycloneDxJustification is not null || after.ImpactStatement is not null);
            compared++;
        }
        Assert.Equal(16, compared);
    }

    [FixtureFact]
    public void OpenVexRoundTrip_KeepsJustificationAndTimestamp()
    {
        var exported = VexWriter.Write(VexFormat.OpenVex, AlpineScenario.Request());
        var doc = VexDocumentReader.Read(exported.Json);
        var result = VexMatcher.Match(doc, [AlpineScenario.InventoryImage()], VexTrustPolicy.TrustAll, AlpineScenario.Now);
        var na = result.Decisions.First(d => d.Vulnerability.Id == "CVE-2024-58251" && d.Status == VexStatus.NotAffected);
        Assert.Equal(VexJustification.VulnerableCodeNotInExecutePath, na.Justification);
        Assert.Equal(AlpineScenario.T0, na.Timestamp);
        Assert.Equal("pkg:apk/alpine/busybox@1.36.1-r20", na.Subcomponent!.Package.ToString());
        Assert.IsType<VexSource.ImportedDocument>(na.Source);
    }

    [FixtureFact]
    public void CycloneDxRoundTrip_InexactJustificationKeepsItsMeaningInWords()
    {
        var doc = VexDocumentReader.Read(VexWriter.Write(VexFormat.CycloneDx, AlpineScenario.Request()).Json);
        var result = VexMatcher.Match(doc, [AlpineScenario.InventoryImage()], VexTrustPolicy.TrustAll, AlpineScenario.Now);
        var na = result.Decisions.First(d => d.Vulnerability.Id == "CVE-2025-46394" && d.Status == VexStatus.NotAffected);
        Assert.Equal(CycloneDxJustification.RequiresEnvironment, na.CycloneDxJustification);
        Assert.Contains("vulnerable_code_cannot_be_controlled_by_adversary", na.ImpactStatement);
    }

    [FixtureFact]
    public void CycloneDxRoundTrip_WithBomLinksIntoTheImageSbom_StaysOnThatImage()
    {
        var image = AlpineScenario.ExportImage() with
        {
            Sbom = new VexSbomLink("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", 2),
            Findings = AlpineScenario.ExportImage().Findings.Select(f => f with { SbomBomRef = f.Package.ToString() }).ToArray(),
        };
        var request = AlpineScenario.Request() with { Images = [image] };
        var doc = VexDocumentReader.Read(VexWriter.Write(VexFormat.CycloneDx, request).Json);

        var result = VexMatcher.Match(doc, [AlpineScenario.InventoryImage()], VexTrustPolicy.TrustAll, AlpineScenario.Now);

        // The BOM-links are bound to the image the document says the SBOM describes, never read as bare package purls.
        Assert.Empty(result.Unmatched);
        Assert.NotEmpty(result.Decisions);
        Assert.All(result.Decisions, d => Assert.Equal(new VexScope.Digest(AlpineScenario.Repository, AlpineScenario.Digest), d.Scope));
        foreach (var f in image.Findings)
        {
            var finding = new VexFinding(image.Repository, image.Digest, f.Package, f.VulnerabilityIds, image.Teams);
            Assert.Equal(VexResolver.Resolve(finding, request.Statements, request.Now).Effective?.Status,
                VexResolver.Resolve(finding, result.Decisions, request.Now).Effective?.Status);
        }
    }
}
