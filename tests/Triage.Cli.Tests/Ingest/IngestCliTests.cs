using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Cli.Tests.Support;
using Triage.Data;
using Triage.Testing;

namespace Triage.Cli.Tests.Ingest;

/// <summary>The `triage ingest` / `triage findings` contract that scripts rely on (issue 2 §6, §8).</summary>
public class IngestCliTests
{
    private static string Fixture(string name) => TestPaths.Local("Triage.Cli.Tests", name);

    private static async Task<string> Bad(string name, string content)
    {
        var dir = Path.Combine(Path.GetTempPath(), "triage-cli-bad", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Ingest_Json_PrintsTheSummaryContractAndLandsTheFindings(string provider)
    {
        var db = TestDatabases.New(provider);
        var r = await TriageCli.Run("ingest", "--db", db, "--json", Fixture("small-trivy.json"));

        Assert.True(r.Exit == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var import = doc.RootElement.GetProperty("imports")[0];
        foreach (var field in new[] { "file", "scanner", "scannerVersion", "image", "digest", "observations", "findings", "newFindings", "duplicate" })
            Assert.True(import.TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal("trivy", import.GetProperty("scanner").GetString());
        Assert.Equal("registry.example/team/api:1.0", import.GetProperty("image").GetString());
        Assert.Equal("sha256:" + new string('1', 64), import.GetProperty("digest").GetString());
        Assert.Equal(2, import.GetProperty("findings").GetInt32());
        Assert.Equal(2, import.GetProperty("newFindings").GetInt32());
        Assert.False(import.GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, import.GetProperty("skipped").GetProperty("misconfigurations").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("failed").GetArrayLength());
    }

    [Fact]
    public async Task Ingest_SameBytesTwice_IsReportedAsDuplicateAndExitsZero()
    {
        var db = TestDatabases.NewSqlite();
        await TriageCli.Run("ingest", "--db", db, Fixture("small-trivy.json"));
        var r = await TriageCli.Run("ingest", "--db", db, "--json", Fixture("small-trivy.json"));
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(doc.RootElement.GetProperty("imports")[0].GetProperty("duplicate").GetBoolean());
        Assert.Equal(2, (await TriageCli.Findings(db)).Count);
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "empty.json", "", "empty" },
        { "truncated.json", "{\"SchemaVersion\": 2, \"Results\": [ {\"Target\": \"x\", ", "truncated" },
        { "null.json", "null", "null_report" },
        { "cyclonedx.json", "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}", "not_a_scan_report" },
        { "sarif.json", "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[]}", "not_a_scan_report" },
        { "snyk-error.json", "{\"ok\":false,\"error\":\"Could not detect supported target files\",\"path\":\"/src\"}", "scanner_error" },
        { "wrong-type.json", "{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"t\",\"Vulnerabilities\":[{\"VulnerabilityID\":12345,\"PkgName\":\"x\",\"InstalledVersion\":\"1\"}]}]}", "wrong_type" },
        { "deep.json", new string('[', 10_000) + new string(']', 10_000), "too_deep" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Ingest_BadInput_ExitsOneNamesTheFileAndStoresNothing(string name, string content, string code)
    {
        var db = TestDatabases.NewSqlite();
        var path = await Bad(name, content);
        var r = await TriageCli.Run("ingest", "--db", db, "--json", path);

        Assert.True(r.Exit == 1, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);
        var failed = doc.RootElement.GetProperty("failed")[0];
        Assert.Contains(name, failed.GetProperty("error").GetString());
        Assert.Equal(code, failed.GetProperty("code").GetString());
        await TriageDatabase.EnsureMigratedAsync(db);
        await using var ctx = TriageDatabase.CreateContext(db);
        Assert.Equal(0, await ctx.Scans.CountAsync());
        Assert.Equal(0, await ctx.RawReports.CountAsync());
    }

    [Fact]
    public async Task Ingest_TruncatedJson_GivesLineAndByte()
    {
        var path = await Bad("cut.json", "{\n  \"matches\": [\n    {\"vulnerability\": {\"id\": \"CVE-1\"");
        var r = await TriageCli.Run("ingest", "--db", TestDatabases.NewSqlite(), path);
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"cut\.json: .*\(line \d+, byte \d+\)", r.Err);
    }

    [Fact]
    public async Task Ingest_GoodAndBadFilesInOneCall_GoodOneLandsAndExitIsOne()
    {
        var db = TestDatabases.NewSqlite();
        var bad = await Bad("garbage.json", "\u0001\u0002 not json at all");
        var r = await TriageCli.Run("ingest", "--db", db, bad, Fixture("small-trivy.json"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("garbage.json", r.Err);
        Assert.Equal(2, (await TriageCli.Findings(db)).Count);
    }

    [Fact]
    public async Task Ingest_UsageErrors_ExitTwo()
    {
        Assert.Equal(2, (await TriageCli.Run("ingest")).Exit);
        Assert.Equal(2, (await TriageCli.Run("ingest", "--scanner", "clair", Fixture("small-trivy.json"))).Exit);
        Assert.Equal(2, (await TriageCli.Run("ingest", "--image", "not a ref", Fixture("small-trivy.json"))).Exit);
    }

    [Fact]
    public async Task Ingest_ImageOption_NamesAFileSystemScan()
    {
        var db = TestDatabases.NewSqlite();
        var fs = await Bad("fs.json", "{\"SchemaVersion\":2,\"ArtifactName\":\".\",\"ArtifactType\":\"filesystem\",\"Results\":[{\"Target\":\"package-lock.json\",\"Class\":\"lang-pkgs\",\"Type\":\"npm\",\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-2021-23337\",\"PkgName\":\"lodash\",\"InstalledVersion\":\"4.17.20\",\"Severity\":\"HIGH\"}]}]}");
        var r = await TriageCli.Run("ingest", "--db", db, "--image", "registry.example/team/web:2.1", "--json", fs);
        Assert.Equal(0, r.Exit);
        var f = Assert.Single(await TriageCli.Findings(db));
        Assert.Equal("registry.example/team/web:2.1", f.Image);
    }

    [Fact]
    public async Task Findings_Json_HasTheContractFieldsAndKeepsScannerTextVerbatim()
    {
        var db = TestDatabases.NewSqlite();
        await TriageCli.Run("ingest", "--db", db, Fixture("small-trivy.json"));
        var r = await TriageCli.Run("findings", "--db", db, "--format", "json");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(r.Out);
        var f = doc.RootElement.EnumerateArray().Single(x => x.GetProperty("vulnerability").GetProperty("id").GetString() == "CVE-2023-4911");
        foreach (var field in new[] { "id", "image", "digest", "package", "vulnerability", "severity", "scanners", "fixedVersions", "firstSeen", "lastSeen", "observations" })
            Assert.True(f.TryGetProperty(field, out _), $"missing {field}");
        foreach (var field in new[] { "purl", "type", "name", "version", "sourceName" })
            Assert.True(f.GetProperty("package").TryGetProperty(field, out _), $"missing package.{field}");
        Assert.Equal("high", f.GetProperty("severity").GetString());
        Assert.Equal(["trivy"], f.GetProperty("scanners").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(["DSA-5514-1"], f.GetProperty("vulnerability").GetProperty("upstream").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("glibc: buffer overflow in ld.so <script>alert(1)</script>", f.GetProperty("vulnerability").GetProperty("title").GetString());
        var o = f.GetProperty("observations")[0];
        foreach (var field in new[] { "scanner", "rawId", "severity", "fixedVersions", "status" })
            Assert.True(o.TryGetProperty(field, out _), $"missing observations[].{field}");
    }

    [Fact]
    public async Task Findings_Csv_NeutralisesSpreadsheetFormulas()
    {
        Assert.Equal("\"'=HYPERLINK(\"\"x\"\")\"", Triage.Cli.Commands.FindingsCommand.Csv("=HYPERLINK(\"x\")"));
        Assert.Equal("'@SUM(A1)", Triage.Cli.Commands.FindingsCommand.Csv("@SUM(A1)"));
        var db = TestDatabases.NewSqlite();
        await TriageCli.Run("ingest", "--db", db, Fixture("small-trivy.json"));
        var r = await TriageCli.Run("findings", "--db", db, "--format", "csv");
        Assert.Equal(0, r.Exit);
        Assert.StartsWith("id,image,digest,vulnerability", r.Out, StringComparison.Ordinal);
        Assert.Equal(3, r.Out.Trim().Split('\n').Length);
    }
}
