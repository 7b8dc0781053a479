using Triage.Core.Vex;
using Triage.Testing;

namespace Triage.Core.Tests.Vex;

/// <summary>
/// Every real VEX file in ../shared/fixtures/vex, with what reading it must give: a statement count (and what is
/// special about the file), or the typed error for the malformed ones. A new fixture without an entry fails the test.
/// </summary>
public class VexFixtureImportTests
{
    /// <summary>file → (statements expected, or the error code when the file must be refused).</summary>
    public static readonly IReadOnlyDictionary<string, (int Statements, VexErrorCode? Error)> Expected = new Dictionary<string, (int, VexErrorCode?)>
    {
        // OpenVEX
        ["openvex/defectdojo_openvex_many_vuln.json"] = (6, null),          // last statement in v0.0.1 string form inside a v0.2.0 document
        ["openvex/defectdojo_openvex_not_a_document.json"] = (0, VexErrorCode.NotVex), // a JSON array
        ["openvex/trivy_oci.openvex.json"] = (7, null),                     // image products without digest, statements inherit the document time
        ["openvex/trivy_project.openvex.json"] = (21, null),                // golang product + subcomponents (govulncheck)
        ["openvex/vexctl_demo.vex.json"] = (1, null),
        ["openvex/vexctl_document1.vex.json"] = (1, null),
        ["openvex/vexctl_document2.vex.json"] = (1, null),
        ["openvex/vexctl_images.vex.json"] = (4, null),                     // v0.0.1; two products are not purls ("nginx", an image reference)
        ["openvex/vexctl_sample-history.openvex.json"] = (2, null),         // second statement inherits the document time
        ["openvex/vexctl_v001-1.vex.json"] = (1, null),
        ["openvex/vexctl_v020-1.vex.json"] = (1, null),
        // CycloneDX
        ["cyclonedx/cdx-bom-examples_vex.json"] = (1, null),                // BOM-link into another BOM whose bom-ref is a purl
        ["cyclonedx/cdx-cisa-case1_vex-affected.json"] = (1, null),
        ["cyclonedx/cdx-cisa-case1_vex-fixed.json"] = (1, null),
        ["cyclonedx/cdx-cisa-case1_vex-not_affected.json"] = (1, null),
        ["cyclonedx/cdx-cisa-case1_vex-under_investigation.json"] = (1, null),
        ["cyclonedx/cdx-usecase9_vex.json"] = (19, null),                   // BOM-links to products that are not purls
        ["cyclonedx/defectdojo_cdx_valid-vulnerability-1.4.json"] = (1, null),
        ["cyclonedx/defectdojo_grype_cdx_log4j.json"] = (8, null),          // Grype SBOM with in_triage analyses
        ["cyclonedx/trivy-golden_pom-cyclonedx.json"] = (0, VexErrorCode.NoStatements), // a vulnerability report without analysis
        ["cyclonedx/trivy-testdata_cyclonedx.json"] = (2, null),            // second: not_affected without justification or detail
        // CSAF
        ["csaf/csaf20_2022-evd-uc-01-a-001.json"] = (1, null),
        ["csaf/csaf20_2022-evd-uc-01-f-001.json"] = (1, null),
        ["csaf/csaf20_2022-evd-uc-01-na-001.json"] = (1, null),
        ["csaf/csaf20_2022-evd-uc-01-ui-001.json"] = (1, null),
        ["csaf/csaf20_2022-evd-uc-02-na-001.json"] = (19, null),
        ["csaf/csaf20_2022-evd-uc-03-ms-001.json"] = (19, null),
        ["csaf/csaf20_2022-evd-uc-05-001.json"] = (1, null),
        ["csaf/csaf20_sec-vex-2022-0001.json"] = (3, null),
        ["csaf/csaf21_2022-evd-uc-01-na-001.json"] = (1, null),
        ["csaf/defectdojo_csaf_unsupported_version.json"] = (0, VexErrorCode.UnsupportedVersion), // csaf_version 1.2
        ["csaf/trivy-testdata_csaf-relationships.json"] = (1, null),       // relationship product: go-direct1 with go-transitive inside
        ["csaf/trivy-testdata_csaf.json"] = (1, null),                      // impact threat without product_ids
        ["csaf/vexctl_csaf.json"] = (1, null),
    };

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (!TestPaths.SharedFixturesPresent) { data.Add("(shared fixtures missing)"); return data; }
        var root = TestPaths.Fixture("vex");
        foreach (var f in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(root, f).Replace('\\', '/'));
        return data;
    }

    [FixtureTheory]
    [MemberData(nameof(Files))]
    public void Read_EveryRealVexFile_ImportsOrFailsClearly(string file)
    {
        Assert.True(Expected.TryGetValue(file, out var expected), $"{file} has no expectation in this test; add one.");
        using var stream = File.OpenRead(TestPaths.Fixture("vex", file));
        if (expected.Error is { } code)
        {
            var ex = Assert.Throws<VexFormatException>(() => VexDocumentReader.Read(stream));
            Assert.Equal(code, ex.Code);
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            return;
        }
        var doc = VexDocumentReader.Read(stream);
        Assert.Equal(expected.Statements, doc.Statements.Count);
        // A statement without its own time inherits the document's; only documents without any time leave it empty.
        Assert.All(doc.Statements, s => Assert.True(s.Timestamp is not null || doc.Timestamp is null));
        Assert.DoesNotContain(doc.Problems, p => p.Skipped);
    }

    private static VexDocument Read(string file)
    {
        using var s = File.OpenRead(TestPaths.Fixture("vex", file));
        return VexDocumentReader.Read(s);
    }

    [FixtureFact]
    public void Read_OpenVexNotADocument_SaysItIsAnArray()
    {
        var ex = Assert.Throws<VexFormatException>(() => Read("openvex/defectdojo_openvex_not_a_document.json"));
        Assert.Equal("not_vex", ex.CodeName);
        Assert.Contains("JSON array", ex.Message);
    }

    [FixtureFact]
    public void Read_CsafUnsupportedVersion_NamesTheVersion()
    {
        var ex = Assert.Throws<VexFormatException>(() => Read("csaf/defectdojo_csaf_unsupported_version.json"));
        Assert.Contains("'1.2'", ex.Message);
    }

    [FixtureFact]
    public void Read_OpenVexLegacyFormsInV020_AreReadAndReported()
    {
        var doc = Read("openvex/defectdojo_openvex_many_vuln.json");
        Assert.Equal("v0.2.0", doc.SpecVersion);
        Assert.Equal("Example Org", doc.Author);
        var last = doc.Statements[^1];
        Assert.Equal("CVE-2024-10006", last.Vulnerability.Id);
        Assert.Equal("pkg:apk/alpine/openssl@1.1.1k-r0", last.Products[0].Purl?.ToString());
        Assert.Equal(2, doc.Problems.Count(p => p.Code == VexProblemCode.Lenient && p.StatementIndex == 5));
        var withAlias = doc.Statements[4];
        Assert.Equal(["GHSA-jfh8-c2jp-5v3q"], withAlias.Vulnerability.Aliases);
        Assert.Equal(VexJustification.InlineMitigationsAlreadyExist, withAlias.Justification);
    }

    [FixtureFact]
    public void Read_OpenVexV001_IsRecognised()
    {
        var doc = Read("openvex/vexctl_v001-1.vex.json");
        Assert.Equal("v0.0.1", doc.SpecVersion);
        Assert.Equal(VexStatus.UnderInvestigation, doc.Statements[0].Status);
        Assert.DoesNotContain(doc.Problems, p => p.Code == VexProblemCode.Lenient);
    }

    [FixtureFact]
    public void Read_TrivyOci_ProductsAreImagesWithPackageSubcomponents_AndInheritTheDocumentTime()
    {
        var doc = Read("openvex/trivy_oci.openvex.json");
        var st = doc.Statements[0];
        Assert.Equal(doc.Timestamp, st.Timestamp);
        Assert.Equal(3, st.Products.Count);
        Assert.All(st.Products, p => Assert.Equal("oci", p.Purl!.Type));
        Assert.Equal(["index.docker.io/aquasec/trivy", "public.ecr.aws/aquasecurity/trivy", "ghcr.io/aquasecurity/trivy"],
            st.Products.Select(p => p.Purl!.Qualifier("repository_url")));
        Assert.Contains(st.Products[0].Subcomponents, s => s.Purl?.ToString() == "pkg:apk/alpine/busybox");
    }

    [FixtureFact]
    public void Read_VexctlImages_NonPurlProductsAreKeptAndReported()
    {
        var doc = Read("openvex/vexctl_images.vex.json");
        Assert.Equal("nginx", doc.Statements[1].Products[0].Id);
        Assert.Null(doc.Statements[1].Products[0].Purl);
        Assert.Equal(2, doc.Problems.Count(p => p.Code == VexProblemCode.InvalidPurl));
        Assert.Equal("sha256:f271e74b17ced29b915d351685fd4644785c6d1559dd1f2d4189a5e851ef753a", doc.Statements[0].Products[0].Purl!.Version);
    }

    [FixtureFact]
    public void Read_CycloneDxBomLinkIntoAnotherBom_ReadsThePurlBomRef_AndKeepsTheSbomItBelongsTo()
    {
        var doc = Read("cyclonedx/cdx-bom-examples_vex.json");
        var st = Assert.Single(doc.Statements);
        Assert.Equal(VexStatus.NotAffected, st.Status);
        Assert.Equal(CycloneDxJustification.CodeNotReachable, st.CycloneDxJustification);
        Assert.Equal([CycloneDxResponse.WillNotFix, CycloneDxResponse.Update], st.Responses);
        Assert.Equal(["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"], st.Vulnerability.Aliases);
        Assert.Equal("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar", st.Products[0].Purl?.ToString());
        // Only a component of that SBOM: the matcher must not read it as the package in every image.
        Assert.Equal("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1", st.Products[0].ExternalBom);
        Assert.StartsWith("Automated dataflow", st.ImpactStatement);
    }

    [FixtureFact]
    public void Read_CycloneDxCisaCases_MapStatesAndKeepDetail()
    {
        Assert.Equal(VexStatus.Affected, Read("cyclonedx/cdx-cisa-case1_vex-affected.json").Statements[0].Status);
        Assert.Contains("will_not_fix", Read("cyclonedx/cdx-cisa-case1_vex-affected.json").Statements[0].ActionStatement);
        Assert.Equal(VexStatus.Fixed, Read("cyclonedx/cdx-cisa-case1_vex-fixed.json").Statements[0].Status);
        Assert.Equal(VexStatus.UnderInvestigation, Read("cyclonedx/cdx-cisa-case1_vex-under_investigation.json").Statements[0].Status);
        var na = Read("cyclonedx/cdx-cisa-case1_vex-not_affected.json");
        Assert.Equal(CycloneDxJustification.CodeNotPresent, na.Statements[0].CycloneDxJustification);
        Assert.Equal("ABC 4.2", na.Statements[0].Products[0].Name);
        Assert.Contains(na.Problems, p => p.Code == VexProblemCode.InvalidPurl);
        Assert.Equal(new DateTimeOffset(2022, 3, 3, 0, 0, 0, TimeSpan.Zero), na.Statements[0].Timestamp);
    }

    [FixtureFact]
    public void Read_CycloneDxUseCase9_UnresolvableBomLinksAreReported()
    {
        var doc = Read("cyclonedx/cdx-usecase9_vex.json");
        Assert.Equal(19 * 3, doc.Problems.Count(p => p.Code == VexProblemCode.UnresolvedReference));
        Assert.All(doc.Statements, s => Assert.Equal(3, s.Products.Count));
    }

    [FixtureFact]
    public void Read_CycloneDxLocalRef_ResolvesThroughBomRef()
    {
        var doc = Read("cyclonedx/defectdojo_grype_cdx_log4j.json");
        Assert.All(doc.Statements, s => Assert.Equal("pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2", s.Products.Single().Purl?.ToString()));
        Assert.All(doc.Statements, s => Assert.Equal(VexStatus.UnderInvestigation, s.Status));
        Assert.Equal("anchore grype 0.41.0", doc.Tooling);
    }

    [FixtureFact]
    public void Read_CycloneDxVulnerabilityReport_IsNotVex()
    {
        var ex = Assert.Throws<VexFormatException>(() => Read("cyclonedx/trivy-golden_pom-cyclonedx.json"));
        Assert.Contains("no analysis", ex.Message.Replace("none has an analysis", "no analysis"));
    }

    [FixtureFact]
    public void Read_CsafRelationship_ProductIsTheParentWithTheComponentInside()
    {
        var doc = Read("csaf/trivy-testdata_csaf-relationships.json");
        var st = Assert.Single(doc.Statements);
        Assert.Equal(VexJustification.VulnerableCodeCannotBeControlledByAdversary, st.Justification);
        Assert.Equal("pkg:golang/github.com/aquasecurity/go-direct1@v2.0.0", st.Products[0].Purl?.ToString());
        Assert.Equal("pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0", st.Products[0].Subcomponents[0].Purl?.ToString());
        Assert.Equal("VMWare, Inc.", doc.Author);
    }

    [FixtureFact]
    public void Read_CsafMixedStatuses_AllFourAndTheirReasons()
    {
        var doc = Read("csaf/csaf20_2022-evd-uc-03-ms-001.json");
        var byStatus = doc.Statements.GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, byStatus[VexStatus.UnderInvestigation]);
        Assert.Equal(6, byStatus[VexStatus.NotAffected]);
        Assert.Equal(5, byStatus[VexStatus.Affected]);
        Assert.Equal(3, byStatus[VexStatus.Fixed]);
        Assert.All(doc.Statements.Where(s => s.Status == VexStatus.NotAffected), s => Assert.NotNull(s.ImpactStatement));
        Assert.All(doc.Statements.Where(s => s.Status == VexStatus.Affected), s =>
        {
            Assert.NotNull(s.ActionStatement);
            Assert.Equal([CycloneDxResponse.CanNotFix], s.Responses);
        });
    }

    [FixtureFact]
    public void Read_Csaf21_And_ThreatWithoutProducts()
    {
        Assert.Equal("2.1", Read("csaf/csaf21_2022-evd-uc-01-na-001.json").SpecVersion);
        var doc = Read("csaf/trivy-testdata_csaf.json");
        Assert.Equal("vulnerable_code_not_in_execute_path", doc.Statements[0].ImpactStatement);
        Assert.Contains(doc.Problems, p => p.Code == VexProblemCode.Lenient && p.Message.Contains("names no product"));
    }

    [Theory]
    [InlineData("", VexErrorCode.Empty)]
    [InlineData("   \n", VexErrorCode.Empty)]
    [InlineData("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", ", VexErrorCode.Truncated)]
    [InlineData("{nope}", VexErrorCode.InvalidJson)]
    [InlineData("null", VexErrorCode.NotVex)]
    [InlineData("{\"SchemaVersion\": 2, \"Results\": []}", VexErrorCode.NotVex)]
    [InlineData("{\"@context\": \"https://example.com/ns\"}", VexErrorCode.NotVex)]
    [InlineData("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": \"x\"}", VexErrorCode.WrongType)]
    [InlineData("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}", VexErrorCode.UnsupportedVersion)]
    [InlineData("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": []}", VexErrorCode.NoStatements)]
    [InlineData("{\"predicateType\": \"https://openvex.dev/ns\", \"predicate\": {}}", VexErrorCode.NotVex)]
    public void Read_BadInput_GivesTypedError(string json, VexErrorCode code) =>
        Assert.Equal(code, Assert.Throws<VexFormatException>(() => VexDocumentReader.Read(json)).Code);

    [Fact]
    public void Read_TooLarge_IsRefusedBeforeParsing()
    {
        using var big = new MemoryStream(new byte[4096]);
        var ex = Assert.Throws<VexFormatException>(() => VexDocumentReader.Read(big, new VexReadOptions { MaxBytes = 1024 }));
        Assert.Equal(VexErrorCode.TooLarge, ex.Code);
    }

    [Theory]
    [InlineData("alpine", "docker.io/library/alpine")]
    [InlineData("index.docker.io/library/alpine", "docker.io/library/alpine")]
    [InlineData("https://ghcr.io/aquasecurity/trivy/", "ghcr.io/aquasecurity/trivy")]
    [InlineData("aquasec/trivy:0.50", "docker.io/aquasec/trivy")]
    [InlineData("localhost:5000/app@sha256:6baf43584bcb78f2e5847d1de515f23499913ac9f12bdf834811a3145eb11ca1", "localhost:5000/app")]
    public void ImageNames_NormaliseRepositorySpellings(string input, string expected) =>
        Assert.Equal(expected, VexImageNames.NormalizeRepository(input));

    [Fact]
    public void Read_TooDeep_IsRefused()
    {
        var json = new string('[', 100) + new string(']', 100);
        Assert.Equal(VexErrorCode.TooDeep, Assert.Throws<VexFormatException>(() => VexDocumentReader.Read(json)).Code);
    }

    [Fact]
    public void Read_BadStatements_AreSkippedWithReasons_OthersLand()
    {
        var doc = VexDocumentReader.Read("""
        {"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2024-01-01T00:00:00.123456789Z","version":1,
         "statements":[
          {"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:apk/alpine/a"}],"status":"maybe"},
          {"products":[{"@id":"pkg:apk/alpine/a"}],"status":"fixed"},
          {"vulnerability":{"name":"CVE-3"},"products":[{"@id":"pkg:apk/alpine/a"}],"status":"not_affected","justification":"because","timestamp":"yesterday"},
          {"vulnerability":{"name":"CVE-4"},"products":[{"@id":"pkg:apk/alpine/a"}],"status":"fixed"}
         ]}
        """);
        Assert.Equal(["CVE-3", "CVE-4"], doc.Statements.Select(s => s.Vulnerability.Id));
        Assert.Equal([VexProblemCode.UnknownStatus, VexProblemCode.MissingVulnerability], doc.Problems.Where(p => p.Skipped).Select(p => p.Code));
        Assert.Contains(doc.Problems, p => p.Code == VexProblemCode.UnknownValue && p.StatementIndex == 2);
        Assert.Contains(doc.Problems, p => p.Code == VexProblemCode.InvalidTimestamp && p.StatementIndex == 2);
        Assert.Equal(doc.Timestamp, doc.Statements[0].Timestamp);
        Assert.Equal(1234567, doc.Timestamp!.Value.Ticks % 10_000_000);
    }
}
