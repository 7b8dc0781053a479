using Microsoft.EntityFrameworkCore;
using Triage.Cli.Tests.Support;
using Triage.Core.Audit;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Testing;

namespace Triage.Cli.Tests.Ingest;

/// <summary>`triage ingest` after `triage vex import` of a document naming the image before its scan
/// (docs/decisions/110-vex-rematch-after-imports.md): the statement is in force once the report lands, and a re-match
/// that fails leaves the import landed with exit 0 and a warning, given once.</summary>
public class IngestVexRematchCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("triage-rematch-cli-").FullName;

    public void Dispose()
    {
        TestDatabases.ClearPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string Report => TestPaths.Local("Triage.Cli.Tests", "small-trivy.json");

    /// <summary>The image of small-trivy.json, by digest, not affected by CVE-2023-4911.</summary>
    private async Task<string> VexFileAsync()
    {
        var path = Path.Combine(_dir, "vendor.openvex.json");
        await File.WriteAllTextAsync(path, $$"""
            {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.test/vex/{{Guid.NewGuid():N}}", "author": "Vendor",
             "timestamp": "2026-11-01T00:00:00Z", "version": 1,
             "statements": [{"vulnerability": {"name": "CVE-2023-4911"},
                             "products": [{"@id": "pkg:oci/api@sha256%3A{{new string('1', 64)}}?repository_url=registry.example/team/api"}],
                             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}
            """);
        return path;
    }

    private static async Task<string> VexImportedFirstAsync(string provider, string file)
    {
        var db = TestDatabases.New(provider);
        var imported = await TriageCli.Run("vex", "import", "--db", db, file);
        Assert.True(imported.Exit == 0, imported.ToString());
        Assert.Contains("no_image_with_digest", imported.Out + imported.Err);
        return db;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Ingest_AfterAVexDocumentNamedTheImage_PutsItsStatementInForce(string provider)
    {
        var db = await VexImportedFirstAsync(provider, await VexFileAsync());

        var r = await TriageCli.Run("ingest", "--db", db, Report);

        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("(vendor.openvex.json) matched again after new scans: 1 decision recorded", r.Out);
        var finding = Assert.Single(await TriageCli.Findings(db), f => f.Vulnerability.Id == "CVE-2023-4911");
        Assert.Equal(VexStatus.NotAffected, finding.Vex?.Status);
        await using var ctx = TriageDatabase.CreateContext(db);
        Assert.Equal(1, await ctx.EffectiveDecisions.CountAsync(e => e.FindingId == finding.Id));
        var audit = await ctx.AuditEvents.SingleAsync(e => e.Action == AuditActions.VexRematched);
        Assert.Equal(("system", AuditChannels.Cli, true), (audit.Actor, audit.Channel, audit.Succeeded));
    }

    [Fact]
    public async Task Ingest_WhenMatchingTheStoredVexAgainFails_StillLandsTheReport_WithExitZeroAndAWarning()
    {
        var db = await VexImportedFirstAsync(TestDatabases.Sqlite, await VexFileAsync());
        await using (var ctx = TriageDatabase.CreateContext(db))
        {
            (await ctx.VexDocuments.SingleAsync()).Content = [1, 2, 3];
            await ctx.SaveChangesAsync();
        }

        var r = await TriageCli.Run("ingest", "--db", db, "--json", Report);

        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("could not be matched again", r.Err);
        Assert.Equal(2, (await TriageCli.Findings(db)).Count);
        await using (var check = TriageDatabase.CreateContext(db))
            Assert.False(await check.AuditEvents.Where(e => e.Action == AuditActions.VexRematched).Select(e => e.Succeeded).SingleAsync());

        // The next image's report meets the same failure: said once (audit log, stderr), not after every ingest.
        var next = Path.Combine(_dir, "next-trivy.json");
        await File.WriteAllTextAsync(next, (await File.ReadAllTextAsync(Report)).Replace(new string('1', 64), new string('2', 64), StringComparison.Ordinal));
        var again = await TriageCli.Run("ingest", "--db", db, "--json", next);
        Assert.True(again.Exit == 0, again.ToString());
        Assert.DoesNotContain("could not be matched again", again.Err);
        Assert.Equal(4, (await TriageCli.Findings(db)).Count);
        await using var after = TriageDatabase.CreateContext(db);
        Assert.Equal(1, await after.AuditEvents.CountAsync(e => e.Action == AuditActions.VexRematched));
    }
}
