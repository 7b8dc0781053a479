using System.Text;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Testing;

namespace Triage.Core.Tests.Ingest;

/// <summary>Every kind of bad input comes out as a <see cref="ReportFormatException"/> with a clear message, the
/// right code and, for JSON errors, a 1-based line; never another exception type.</summary>
public sealed class BadInputTests
{
    private static async Task<ReportFormatException> FailAsync(byte[] bytes, ScannerKind? forced = null, ParseOptions? options = null)
    {
        // A non-seekable stream, as an upload would be.
        using var stream = new ChunkedStream(bytes, maxChunk: int.MaxValue);
        return await Assert.ThrowsAsync<ReportFormatException>(() => ScanReportReader.Default.ParseAsync(stream, forced, options ?? ParseOptions.Default));
    }

    private static Task<ReportFormatException> FailAsync(string json, ScannerKind? forced = null, ParseOptions? options = null) =>
        FailAsync(Encoding.UTF8.GetBytes(json), forced, options);

    [Fact]
    public async Task Parse_EmptyFile_ThrowsEmpty()
    {
        var e = await FailAsync([]);
        Assert.Equal((ReportErrorCode.Empty, "the file is empty"), (e.Code, e.Message));
    }

    [Fact]
    public async Task Parse_WhitespaceOnly_ThrowsEmpty()
    {
        var e = await FailAsync(" \n\t\r\n  ");
        Assert.Equal((ReportErrorCode.Empty, "the file contains only whitespace"), (e.Code, e.Message));
    }

    [Fact]
    public async Task Parse_TruncatedInTheHead_ThrowsTruncatedWithLine()
    {
        var e = await FailAsync("{\n  \"SchemaVersion\": 2,\n  \"Results\": [\n    {\"Target\": \"x\", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-1");
        Assert.Equal(ReportErrorCode.Truncated, e.Code);
        Assert.Equal(4, e.Line);
        Assert.Contains("truncated", e.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_TruncatedBeyondTheHead_ThrowsTruncatedFromTheParser()
    {
        var full = await File.ReadAllBytesAsync(LocalFixtures.Path("trivy-image-list-all-pkgs.json"));
        var big = Pad(full, 200_000);
        var e = await FailAsync(big[..(big.Length - 300)]);
        Assert.Equal(ReportErrorCode.Truncated, e.Code);
        Assert.True(e.Line > 1);
    }

    [FixtureFact]
    public async Task Parse_RealGrypeReportCutAt9000Bytes_ThrowsTruncated()
    {
        var bytes = await File.ReadAllBytesAsync(TestPaths.Fixture("matched", "nginx-latest-debian13", "grype.json"));
        var e = await FailAsync(bytes[..9000]);
        Assert.Equal(ReportErrorCode.Truncated, e.Code);
    }

    [Fact]
    public async Task Parse_BinaryGarbage_ThrowsInvalidJson()
    {
        var bytes = new byte[20_000];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0x9C;
        var e = await FailAsync(bytes);
        Assert.Equal(ReportErrorCode.InvalidJson, e.Code);
        Assert.Equal("the file is not JSON text (it starts with the byte 0x9C)", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task Parse_InvalidUtf8InAString_ThrowsInvalidJson()
    {
        var head = Encoding.UTF8.GetBytes("{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"x\", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-1\", \"PkgName\": \"a");
        var tail = Encoding.UTF8.GetBytes("\", \"InstalledVersion\": \"1\"}]}]}");
        var e = await FailAsync([.. head, 0xC3, 0x28, .. tail]);
        Assert.Equal(ReportErrorCode.InvalidJson, e.Code);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}", "CycloneDX")]
    [InlineData("{\"vulnerabilities\": [{\"id\": \"CVE-1\", \"ratings\": [], \"affects\": []}], \"bomFormat\": \"CycloneDX\"}", "CycloneDX")]
    [InlineData("{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", \"version\": \"2.1.0\", \"runs\": []}", "SARIF")]
    [InlineData("{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"@id\": \"x\", \"statements\": []}", "OpenVEX")]
    [InlineData("{\"document\": {\"category\": \"csaf_vex\", \"csaf_version\": \"2.0\"}, \"vulnerabilities\": []}", "CSAF")]
    [InlineData("{\"spdxVersion\": \"SPDX-2.3\", \"packages\": []}", "SPDX")]
    [InlineData("[1, 2, 3]", "array of numbers")]
    [InlineData("\"just a string\"", "JSON string")]
    [InlineData("{\"hello\": \"world\"}", "no field any supported scanner writes")]
    public async Task Parse_OtherDocument_ThrowsNotAScanReportNamingWhatItIs(string json, string named)
    {
        var e = await FailAsync(json);
        Assert.Equal(ReportErrorCode.NotAScanReport, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [FixtureTheory]
    [InlineData("vex/cyclonedx/cdx-bom-examples_vex.json", "CycloneDX")]
    [InlineData("vex/cyclonedx/trivy-golden_pom-cyclonedx.json", "CycloneDX")]
    [InlineData("matched/nginx-debian12-sarif/trivy.sarif.json", "SARIF")]
    [InlineData("vex/openvex/vexctl_demo.vex.json", "OpenVEX")]
    [InlineData("vex/csaf/csaf20_2022-evd-uc-01-a-001.json", "CSAF")]
    public async Task Parse_RealNonScanDocument_ThrowsNotAScanReportNamingIt(string relative, string named)
    {
        var e = await FailAsync(await File.ReadAllBytesAsync(TestPaths.Fixture(relative.Split('/'))));
        Assert.Equal(ReportErrorCode.NotAScanReport, e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_SnykErrorObject_ThrowsScannerError()
    {
        var e = await FailAsync("{\"ok\": false, \"error\": \"Missing node_modules folder\", \"path\": \"/app\"}");
        Assert.Equal(ReportErrorCode.ScannerError, e.Code);
        Assert.Equal("Snyk reported an error instead of results: Missing node_modules folder", e.Message);
    }

    [Theory]
    [InlineData("{\n\"SchemaVersion\": 2,\n\"Results\": [{\"Target\": \"x\", \"Vulnerabilities\": [\n{\"VulnerabilityID\": 12345, \"PkgName\": \"a\"}]}]}", "VulnerabilityID", 4)]
    [InlineData("{\"matches\": [\n{\"vulnerability\": {\"id\": 7}, \"artifact\": {\"name\": \"a\", \"version\": \"1\"}}]}", "vulnerability.id", 2)]
    [InlineData("{\"matches\": [{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": {\"name\": [\"a\"], \"version\": \"1\"}}]}", "artifact.name", 1)]
    [InlineData("{\"vulnerabilities\": [{\"id\": \"SNYK-1\", \"packageName\": \"a\", \"from\": [], \"version\": 1.5}], \"ok\": false}", "version", 1)]
    public async Task Parse_IdentifyingFieldOfWrongType_ThrowsWrongTypeNamingTheField(string json, string field, int line)
    {
        var e = await FailAsync(json);
        Assert.Equal(ReportErrorCode.WrongType, e.Code);
        Assert.Contains($"\"{field}\"", e.Message, StringComparison.Ordinal);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public async Task Parse_ResultsArrayHoldingANumber_ThrowsWrongType()
    {
        var e = await FailAsync("{\"SchemaVersion\": 2, \"Results\": [42]}");
        Assert.Equal(ReportErrorCode.WrongType, e.Code);
    }

    [Fact]
    public async Task Parse_Nested10000Deep_ThrowsTooDeep()
    {
        var e = await FailAsync(new string('[', 10_000) + new string(']', 10_000));
        Assert.Equal(ReportErrorCode.TooDeep, e.Code);
        Assert.Contains("64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_DeepNestingInsideARecordPastTheHead_ThrowsTooDeep()
    {
        var deep = new string('[', 500) + new string(']', 500);
        var json = "{\"SchemaVersion\": 2, \"ArtifactName\": \"" + new string('x', 70_000) + "\", \"Results\": [{\"Target\": \"t\", \"Vulnerabilities\": [" +
                   "{\"VulnerabilityID\": \"CVE-1\", \"PkgName\": \"a\", \"InstalledVersion\": \"1\", \"Unknown\": " + deep + "}]}]}";
        var e = await FailAsync(json);
        Assert.Equal(ReportErrorCode.TooDeep, e.Code);
    }

    [Fact]
    public async Task Parse_MaxDepthOption_IsHonoured()
    {
        var json = "{\"SchemaVersion\": 2, \"Results\": [{\"Target\": \"t\", \"Vulnerabilities\": [{\"VulnerabilityID\": \"CVE-1\", \"PkgName\": \"a\", \"InstalledVersion\": \"1\"}]}]}";
        var e = await FailAsync(json, options: new ParseOptions { MaxDepth = 3 });
        Assert.Equal(ReportErrorCode.TooDeep, e.Code);
        Assert.Contains("3 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_MaxBytesOption_ThrowsTooLarge()
    {
        var bytes = Pad(await File.ReadAllBytesAsync(LocalFixtures.Path("trivy-image-list-all-pkgs.json")), 300_000);
        var e = await FailAsync(bytes, options: new ParseOptions { MaxBytes = 100_000 });
        Assert.Equal(ReportErrorCode.TooLarge, e.Code);
    }

    [Theory]
    [InlineData("trivy-image-list-all-pkgs.json", ScannerKind.Grype, "Trivy")]
    [InlineData("grype-current.json", ScannerKind.Snyk, "Grype")]
    [InlineData("snyk-container-apps.json", ScannerKind.Trivy, "Snyk")]
    public async Task Parse_ForcedScannerDoesNotMatch_ThrowsWrongScannerNamingBoth(string fixture, ScannerKind forced, string found)
    {
        var e = await FailAsync(await File.ReadAllBytesAsync(LocalFixtures.Path(fixture)), forced);
        Assert.Equal(ReportErrorCode.WrongScanner, e.Code);
        Assert.Contains($"looks like a {found} report", e.Message, StringComparison.Ordinal);
        Assert.Contains($"--scanner {forced.ToWire()}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_Null_ThrowsNullReportUnlessForcedToTrivy()
    {
        var auto = await FailAsync("null\n");
        var grype = await FailAsync("null", ScannerKind.Grype);
        using var stream = new MemoryStream("null"u8.ToArray());
        var trivy = await ScanReportReader.Default.ParseAsync(stream, ScannerKind.Trivy, ParseOptions.Default);

        Assert.Equal(ReportErrorCode.NullReport, auto.Code);
        Assert.Equal("the report is `null`: no scanner can be recognised; pass --scanner trivy for an old Trivy report of no findings", auto.Message);
        Assert.Equal(ReportErrorCode.NullReport, grype.Code);
        Assert.Empty(trivy.Targets);
        Assert.Equal(ScannerKind.Trivy, trivy.Scanner);
    }

    [Theory]
    [InlineData("null x")]
    [InlineData("{\"SchemaVersion\": 2} {\"SchemaVersion\": 2}")]
    [InlineData("{\"SchemaVersion\": 2, \"Results\": [],}")]
    [InlineData("{'SchemaVersion': 2}")]
    public async Task Parse_MalformedJson_ThrowsInvalidJson(string json)
    {
        var e = await FailAsync(json);
        Assert.Equal(ReportErrorCode.InvalidJson, e.Code);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public async Task Parse_EmptyArrayOrObject_NeedsAForcedScanner()
    {
        var e = await FailAsync("[]");
        using var stream = new MemoryStream("[]"u8.ToArray());
        var forced = await ScanReportReader.Default.ParseAsync(stream, ScannerKind.Snyk, ParseOptions.Default);

        Assert.Equal(ReportErrorCode.NotAScanReport, e.Code);
        Assert.Contains("empty JSON array", e.Message, StringComparison.Ordinal);
        Assert.Empty(forced.Targets);
    }

    /// <summary>Cuts and corrupts the local fixtures at many places: whatever happens, only a ReportFormatException may leave.</summary>
    [Theory]
    [InlineData("trivy-image-list-all-pkgs.json")]
    [InlineData("trivy-k8s-resources.json")]
    [InlineData("grype-current.json")]
    [InlineData("snyk-container-apps.json")]
    public async Task Parse_CutOrCorruptedReports_OnlyEverThrowReportFormatException(string fixture)
    {
        var original = await File.ReadAllBytesAsync(LocalFixtures.Path(fixture));
        var rnd = new Random(fixture.Length);
        for (var i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            if (i % 2 == 0) bytes = bytes[..rnd.Next(bytes.Length)];
            else for (var k = 0; k < 3; k++) bytes[rnd.Next(bytes.Length)] = (byte)rnd.Next(256);
            using var stream = new ChunkedStream(bytes, maxChunk: 1 + rnd.Next(64));
            try
            {
                await ScanReportReader.Default.ParseAsync(stream, null, ParseOptions.Default);
            }
            catch (ReportFormatException)
            {
            }
        }
    }

    /// <summary>Puts <paramref name="size"/> bytes of padding into the ArtifactName so the rest lies beyond the sniffed head.</summary>
    private static byte[] Pad(byte[] trivyReport, int size)
    {
        var text = Encoding.UTF8.GetString(trivyReport);
        return Encoding.UTF8.GetBytes(text.Replace("\"ReportID\":", $"\"Padding\": \"{new string('p', size)}\", \"ReportID\":", StringComparison.Ordinal));
    }
}
