using Triage.Core.Ingest;
using Triage.Core.Runtime.Code;
using Triage.Testing;

namespace Triage.Core.Tests.Runtime;

public class GovulncheckParserTests
{
    private static async Task<GovulncheckReport> Parse(string file)
    {
        await using var s = File.OpenRead(TestPaths.Fixture("runtime", "govulncheck", file));
        return await GovulncheckParser.ParseAsync(s);
    }

    private static Dictionary<GoReachLevel, int> LevelsPerOsv(GovulncheckReport r) =>
        r.Summarize().GroupBy(s => s.OsvId).Select(g => g.Max(s => s.Level)).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());

    [FixtureFact]
    public async Task Parse_V114Stream_CalledImportedRequiredPerOsv()
    {
        var r = await Parse("defectdojo_govulncheck_v114_stream.json");
        Assert.Equal(GovulncheckFormat.Stream, r.Format);
        Assert.Equal(("v1.1.4", "symbol", "source", "go1.24.4"), (r.ScannerVersion, r.ScanLevel, r.ScanMode, r.GoVersion));
        Assert.Equal(190, r.Osv.Count);
        Assert.Equal(116, r.Findings.Count);
        var levels = LevelsPerOsv(r);
        Assert.Equal(22, levels[GoReachLevel.Called]);
        Assert.Equal(8, levels[GoReachLevel.Imported]);
        Assert.Equal(10, levels[GoReachLevel.Required]);

        var jwt = r.Summarize().Single(s => s.OsvId == "GO-2025-3553");
        Assert.Equal(("github.com/golang-jwt/jwt", "v3.2.2+incompatible", GoReachLevel.Called), (jwt.Module, jwt.Version, jwt.Level));
        Assert.Equal(["CVE-2025-30204", "GHSA-mh63-6h87-95cp"], jwt.Aliases);
        Assert.Contains("github.com/golang-jwt/jwt.ValidationError.Error", jwt.Functions);
        // govulncheck repeats aliases in some entries; they are de-duplicated.
        Assert.Equal(["CVE-2025-47906"], r.AliasesOf("GO-2025-3956"));
    }

    [FixtureFact]
    public async Task Parse_V100Array_OneCalledStdlibFinding()
    {
        var r = await Parse("defectdojo_govulncheck_v100_array.json");
        Assert.Equal(GovulncheckFormat.Array, r.Format);
        var s = Assert.Single(r.Summarize());
        Assert.Equal(("GO-2023-1840", "stdlib", "v1.20.1", GoReachLevel.Called, "v1.20.5"), (s.OsvId, s.Module, s.Version, s.Level, s.FixedVersion));
        Assert.Equal(["CVE-2023-29403"], s.Aliases);
        Assert.Equal("runtime.BlockProfile", r.Findings.Single().Trace[0]);
    }

    [FixtureFact]
    public async Task Parse_V101NoVulns_EmptyFindings()
    {
        var r = await Parse("defectdojo_govulncheck_v101_no_vulns.json");
        Assert.Equal(("v1.0.1", "symbol"), (r.ScannerVersion, r.ScanLevel));
        Assert.Empty(r.Findings);
    }

    [FixtureFact]
    public async Task Parse_Legacy_ThreeOsvsAllCalled()
    {
        var r = await Parse("defectdojo_govulncheck_legacy_many_vulns.json");
        Assert.Equal(GovulncheckFormat.Legacy, r.Format);
        Assert.Equal(12, r.Findings.Count);
        var summaries = r.Summarize();
        Assert.Equal(["GO-2022-0969", "GO-2022-1143", "GO-2022-1144"], summaries.Select(s => s.OsvId));
        Assert.All(summaries, s => Assert.Equal((GoReachLevel.Called, "stdlib", "v1.19.0"), (s.Level, s.Module, s.Version)));
        Assert.Equal(["CVE-2022-41717"], summaries.Single(s => s.OsvId == "GO-2022-1144").Aliases);
        Assert.Equal(5, summaries.Single(s => s.OsvId == "GO-2022-1144").Functions.Count);
    }

    [FixtureFact]
    public async Task Parse_EmptyFile_ClearEmptyError()
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => Parse("defectdojo_govulncheck_empty.json"));
        Assert.Equal(ReportErrorCode.Empty, ex.Code);
        Assert.Contains("govulncheck output: the file is empty", ex.Message);
        Assert.Contains("-json", ex.Message);
    }

    [Theory]
    [InlineData("""{"config":{"scan_level":"symbol"}} {"finding": """, ReportErrorCode.Truncated)]
    [InlineData("""{"hello":"world"}""", ReportErrorCode.NotAScanReport)]
    [InlineData("42", ReportErrorCode.NotAScanReport)]
    public async Task Parse_BadInput_TypedError(string json, ReportErrorCode code)
    {
        var ex = await Assert.ThrowsAsync<ReportFormatException>(() => GovulncheckParser.ParseAsync(Streams.Of(json)));
        Assert.Equal(code, ex.Code);
    }
}
