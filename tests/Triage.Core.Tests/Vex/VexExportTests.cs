using System.Text.Json;
using Triage.Core.Tests.Vex.Support;
using Triage.Core.Vex;
using Triage.Core.Vex.Csaf;
using Triage.Core.Vex.CycloneDx;
using Triage.Core.Vex.OpenVex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

public class VexExportTests
{
    [FixtureFact]
    public void OpenVex_ValidatesAgainstTheOfficialSchema()
    {
        var r = OpenVexWriter.Write(AlpineScenario.Request());
        Assert.Empty(VexSchemas.ValidateOpenVex(r.Json));
        using var d = JsonDocument.Parse(r.Json);
        Assert.Equal("https://openvex.dev/ns/v0.2.0", d.RootElement.GetProperty("@context").GetString());
        Assert.Equal(6, d.RootElement.GetProperty("statements").GetArrayLength());
    }

    [FixtureFact]
    public void CycloneDx_ValidatesAgainstTheOfficialSchema()
    {
        var r = CycloneDxVexWriter.Write(AlpineScenario.Request());
        Assert.Empty(VexSchemas.ValidateCycloneDx16(r.Json));
    }

    [FixtureFact]
    public void Csaf_ValidatesAgainstTheOfficialSchema_AndTheVexProfile()
    {
        var r = CsafVexWriter.Write(AlpineScenario.Request());
        Assert.Empty(VexSchemas.ValidateCsaf20(r.Json));
        Assert.Empty(CsafVexProfile.Check(r.Json));
    }

    [FixtureFact]
    public void CsafProfileChecks_PassTheOasisExamples_AndCatchAProfileBreak()
    {
        foreach (var f in new[] { "csaf20_2022-evd-uc-01-a-001.json", "csaf20_2022-evd-uc-03-ms-001.json", "csaf20_sec-vex-2022-0001.json" })
            Assert.Empty(CsafVexProfile.Check(File.ReadAllText(TestPaths.Fixture("vex", "csaf", f))));
        // Trivy's test document states known_not_affected with an impact threat that names no product.
        Assert.Contains(CsafVexProfile.Check(File.ReadAllText(TestPaths.Fixture("vex", "csaf", "trivy-testdata_csaf.json"))), e => e.StartsWith("6.1.27.9"));
    }

    [FixtureFact]
    public void OpenVex_ProductsAreOciPurlsOfTheImage_SubcomponentsAreQualifierFreePackagePurls()
    {
        var r = OpenVexWriter.Write(AlpineScenario.Request());
        using var d = JsonDocument.Parse(r.Json);
        foreach (var st in d.RootElement.GetProperty("statements").EnumerateArray())
        {
            var p = Assert.Single(st.GetProperty("products").EnumerateArray());
            Assert.Equal("pkg:oci/alpine@sha256%3A6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1?repository_url=index.docker.io/library/alpine",
                p.GetProperty("@id").GetString());
            Assert.Equal("6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1", p.GetProperty("hashes").GetProperty("sha-256").GetString());
            Assert.All(p.GetProperty("subcomponents").EnumerateArray(), s => Assert.DoesNotContain("?", s.GetProperty("@id").GetString()));
            Assert.StartsWith("urn:triage:vex:statement:", st.GetProperty("@id").GetString());
            Assert.True(st.TryGetProperty("timestamp", out _));
        }
        var na = d.RootElement.GetProperty("statements").EnumerateArray().Single(s => s.GetProperty("vulnerability").GetProperty("name").GetString() == "CVE-2024-58251" && s.GetProperty("status").GetString() == "not_affected");
        Assert.Equal("vulnerable_code_not_in_execute_path", na.GetProperty("justification").GetString());
        Assert.Equal(["pkg:apk/alpine/busybox@1.36.1-r20"], na.GetProperty("products")[0].GetProperty("subcomponents").EnumerateArray().Select(s => s.GetProperty("@id").GetString()));
    }

    [FixtureFact]
    public void Export_WritesOnlyEffectiveStatements_AndSaysWhyOthersWereLeftOut()
    {
        var statements = AlpineScenario.Statements();
        var r = OpenVexWriter.Write(AlpineScenario.Request(statements));
        Assert.Equal(2, r.Omitted.Count);
        Assert.Contains(r.Omitted, o => o.Statement == statements[5] && o.Reason.Contains("no finding"));
        Assert.Contains(r.Omitted, o => o.Statement == statements[6] && o.Reason.Contains("expired"));
    }

    [FixtureFact]
    public void Export_IsDeterministic_AndIndependentOfInputOrder()
    {
        var a = OpenVexWriter.Write(AlpineScenario.Request());
        var b = OpenVexWriter.Write(AlpineScenario.Request(AlpineScenario.Statements().Reverse().ToArray()));
        Assert.Equal(a.Json, b.Json);
        Assert.Equal(a.ContentHash, b.ContentHash);
        Assert.Equal(CsafVexWriter.Write(AlpineScenario.Request()).Json, CsafVexWriter.Write(AlpineScenario.Request()).Json);
        Assert.Equal(CycloneDxVexWriter.Write(AlpineScenario.Request()).Json, CycloneDxVexWriter.Write(AlpineScenario.Request()).Json);
    }

    [FixtureTheory]
    [InlineData(VexFormat.OpenVex)]
    [InlineData(VexFormat.CycloneDx)]
    [InlineData(VexFormat.Csaf)]
    public void Export_VersionIncreasesOnlyWhenContentChanges(VexFormat format)
    {
        var first = VexWriter.Write(format, AlpineScenario.Request());
        Assert.Equal(1, first.Version);

        var again = VexWriter.Write(format, AlpineScenario.Request() with { Now = AlpineScenario.Now.AddDays(5), Previous = first.AsPrevious() });
        Assert.Equal(1, again.Version);
        Assert.Equal(first.Json, again.Json);

        var more = AlpineScenario.Statements().Append(Vx.Fixed("CVE-2026-27171", new VexScope.Digest(AlpineScenario.Repository, AlpineScenario.Digest), AlpineScenario.T0.AddDays(3))).ToArray();
        var changed = VexWriter.Write(format, AlpineScenario.Request(more) with { Now = AlpineScenario.Now.AddDays(5), Previous = again.AsPrevious() });
        Assert.Equal(2, changed.Version);
        Assert.NotEqual(first.ContentHash, changed.ContentHash);
        Assert.Equal(first.DocumentId, changed.DocumentId);
        Assert.Equal([1, 2], changed.Revisions.Select(x => x.Number));
        Assert.Equal(AlpineScenario.Now.AddDays(5), changed.Timestamp);
        if (format == VexFormat.Csaf)
        {
            Assert.Empty(CsafVexProfile.Check(changed.Json));
            Assert.Empty(VexSchemas.ValidateCsaf20(changed.Json));
        }
    }

    [FixtureFact]
    public void Export_StatementIdsAreDerivedFromContent()
    {
        var a = JsonDocument.Parse(OpenVexWriter.Write(AlpineScenario.Request()).Json);
        var more = AlpineScenario.Statements().Append(Vx.Fixed("CVE-2026-27171", new VexScope.Digest(AlpineScenario.Repository, AlpineScenario.Digest), AlpineScenario.T0.AddDays(3))).ToArray();
        var b = JsonDocument.Parse(OpenVexWriter.Write(AlpineScenario.Request(more)).Json);
        var idsA = a.RootElement.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("@id").GetString()).ToHashSet();
        var idsB = b.RootElement.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("@id").GetString()).ToHashSet();
        Assert.Equal(idsA.Count - 1, idsA.Intersect(idsB).Count()); // only the replaced zlib statement changed
    }

    [FixtureFact]
    public void Export_NoStatementGoverningAnything_IsAClearError()
    {
        var ex = Assert.Throws<VexExportException>(() => OpenVexWriter.Write(AlpineScenario.Request([Vx.Fixed("CVE-1999-0001")])));
        Assert.Contains("No VEX statement", ex.Message);
    }

    [FixtureFact]
    public void Export_LossyJustificationMappings_AreReported()
    {
        var statements = new[]
        {
            VexStatement.Create(Vx.Draft("CVE-2026-27171", VexStatus.NotAffected, new VexScope.Digest(AlpineScenario.Repository, AlpineScenario.Digest),
                justification: VexJustification.InlineMitigationsAlreadyExist)),
        };
        var cdx = CycloneDxVexWriter.Write(AlpineScenario.Request(statements));
        Assert.Contains(cdx.Losses, l => l.Contains("inline_mitigations_already_exist"));
        Assert.Contains("protected_by_mitigating_control", cdx.Json);
        var fromCdx = new[]
        {
            VexStatement.Create(Vx.Draft("CVE-2026-27171", VexStatus.NotAffected, new VexScope.Digest(AlpineScenario.Repository, AlpineScenario.Digest))
                with { CycloneDxJustification = CycloneDxJustification.RequiresConfiguration }),
        };
        var csaf = CsafVexWriter.Write(AlpineScenario.Request(fromCdx));
        Assert.Contains(csaf.Losses, l => l.Contains("requires_configuration"));
        Assert.Empty(CsafVexProfile.Check(csaf.Json)); // carried as an impact threat instead of a flag
        Assert.Contains("\"requires_configuration\"", CycloneDxVexWriter.Write(AlpineScenario.Request(fromCdx)).Json);
    }

    [FixtureFact]
    public void CycloneDx_WithKnownSbom_PointsIntoItWithBomLinks()
    {
        var img = AlpineScenario.ExportImage() with
        {
            Sbom = new VexSbomLink("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", 2),
            Findings = AlpineScenario.ExportImage().Findings.Select(f => f with { SbomBomRef = f.Package.ToString() }).ToArray(),
        };
        var r = CycloneDxVexWriter.Write(AlpineScenario.Request() with { Images = [img] });
        Assert.Empty(VexSchemas.ValidateCycloneDx16(r.Json));
        Assert.Contains("\"ref\": \"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#pkg", r.Json);
        Assert.Contains("\"url\": \"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2\"", r.Json);
    }
}
