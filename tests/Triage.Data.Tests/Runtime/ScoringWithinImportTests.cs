using Microsoft.EntityFrameworkCore;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Import;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>
/// An importer given the risk service scores the images it imports inside its own transaction (no second transaction
/// reading 20,000 findings back). The stored scores, priorities, rank keys and verdicts must be exactly those of the
/// refresh that runs after an import otherwise; with a VEX decision in the database the importer leaves scoring to that
/// refresh, which then sees the decision.
/// </summary>
public sealed class ScoringWithinImportTests
{
    private static readonly string Lines = $$"""
        {"image":"{{RuntimeVerdictTests.NginxImage}}@{{RuntimeVerdictTests.NginxDigest}}","path":"/usr/lib/x86_64-linux-gnu/libssl.so.1.1","op":"read","count":3}
        {"image":"{{RuntimeVerdictTests.NginxImage}}@{{RuntimeVerdictTests.NginxDigest}}","path":"/usr/sbin/nginx","op":"exec"}
        """;

    /// <summary>Evidence and enrichment first, the scan last: the scoring at import must use them.</summary>
    private static async Task<ImportSummary> PrepareAndImportAsync(RuntimeWorld w, bool withinImport)
    {
        await w.EnrichBytesAsync(EnrichmentTests.EpssCsv("2025-08-25", 10, ("CVE-2099-1003", 0.4, 0.98), ("CVE-2099-1010", 0.002, 0.3)), "epss.csv");
        await w.IngestTextAsync(Lines, "tetragon.jsonl", new RuntimeIngestOptions { Source = "tetragon" });
        await using var s = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(WithCvss(RuntimeVerdictTests.NginxScan()).ToJsonString()));
        var importer = withinImport ? new ReportImporter(w.Conn, w.Risk) : new ReportImporter(w.Conn);
        var summary = await importer.ImportAsync(s, "nginx.json", new ImportOptions());
        await w.Risk.AfterImportAsync(summary);
        return summary;
    }

    /// <summary>CVSS by source on most records, as Trivy writes it: v3 and v2 (the v3 score counts), v2 only (it counts), none.
    /// The import scores its new alias groups from the rows it wrote; the refresh reads them back: both must agree.</summary>
    private static System.Text.Json.Nodes.JsonNode WithCvss(System.Text.Json.Nodes.JsonNode scan)
    {
        var n = 0;
        foreach (var v in scan["Results"]![0]!["Vulnerabilities"]!.AsArray())
        {
            var i = n++;
            v!["CVSS"] = (i % 3) switch
            {
                0 => new System.Text.Json.Nodes.JsonObject
                {
                    ["nvd"] = new System.Text.Json.Nodes.JsonObject { ["V3Vector"] = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ["V3Score"] = 4.0 + i % 60 / 10.0, ["V2Score"] = 9.3 },
                    ["redhat"] = new System.Text.Json.Nodes.JsonObject { ["V3Vector"] = "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", ["V3Score"] = 5.5 },
                },
                1 => new System.Text.Json.Nodes.JsonObject { ["nvd"] = new System.Text.Json.Nodes.JsonObject { ["V2Vector"] = "AV:N/AC:M/Au:N/C:P/I:P/A:P", ["V2Score"] = 6.8 } },
                _ => null,
            };
        }
        return scan;
    }

    private static async Task<Dictionary<string, (int Score, SsvcPriority Priority, bool Excluded, long RankKey, double? Cvss, ReachabilityVerdict Verdict)>> ScoresAsync(RuntimeWorld w)
    {
        var verdicts = (await w.FindingsAsync()).ToDictionary(f => f.Id, f => f.Risk!.Reachability.Verdict);
        await using var db = w.Db();
        var rows = await db.FindingRisks.AsNoTracking()
            .Join(db.Findings, r => r.FindingId, f => f.Id, (r, f) => new { r, f.PackageId, f.GroupId, f.ArtifactId })
            .Join(db.Packages, x => x.PackageId, p => p.Id, (x, p) => new { x.r, p.Name, x.GroupId, x.ArtifactId })
            .Join(db.AliasGroups, x => x.GroupId, g => g.Id, (x, g) => new { x.r, x.Name, g.CanonicalId, x.ArtifactId })
            .ToListAsync();
        return rows.ToDictionary(x => $"{x.ArtifactId} {x.Name} {x.CanonicalId}",
            x => (x.r.ScoreTenths, x.r.Priority, x.r.Excluded, x.r.RankKey, x.r.CvssScore, verdicts[x.r.FindingId]));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ScoresWithinTheImport_AreThoseOfTheRefreshAfterIt(string provider)
    {
        var within = new RuntimeWorld(provider);
        var after = new RuntimeWorld(provider);

        var summary = await PrepareAndImportAsync(within, withinImport: true);
        var reference = await PrepareAndImportAsync(after, withinImport: false);

        Assert.True(summary.RiskScored);
        Assert.False(reference.RiskScored);
        var expected = await ScoresAsync(after);
        var actual = await ScoresAsync(within);
        Assert.Equal(summary.Findings, actual.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), actual.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        // The evidence ingested before the scan reached the scores: a loaded package and an EPSS-scored CVE.
        Assert.Contains(actual.Values, v => v.Verdict == ReachabilityVerdict.Loaded);
        // The CVSS of the new alias groups reached the scores: v3 over v2, and v2 where it is all there is.
        Assert.Contains(actual.Values, v => v.Cvss == 6.8);
        Assert.Contains(actual.Values, v => v.Cvss is > 3.9 and < 10 and not 6.8);
        Assert.Contains(actual.Values, v => v.Cvss is null);
        Assert.Contains(actual.Values, v => (v.RankKey & (((1L << 31) - 1) << 14)) != 0);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task WithADecisionInTheDatabase_TheRefreshAfterTheImportScores(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(Triage.Core.Domain.ScannerKind.Trivy, "registry.example/other:1", "sha256:" + new string('3', 64))
            .Claim("CVE-2099-1003", "deb", "zlib1g", "1.2.13", Triage.Core.Domain.Severity.High));
        await new Triage.Data.Vex.DecisionService(w.Conn).RecordAsync(new Triage.Data.Vex.DecisionRequest
        {
            Vulnerability = "CVE-2099-1003",
            Target = Triage.Data.Vex.DecisionTarget.Everywhere.Instance,
            Status = Triage.Core.Vex.VexStatus.NotAffected,
            Justification = Triage.Core.Vex.VexJustification.VulnerableCodeNotInExecutePath,
            Author = "alice",
        });

        await using var s = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(RuntimeVerdictTests.NginxScan().ToJsonString()));
        var summary = await new ReportImporter(w.Conn, w.Risk).ImportAsync(s, "nginx.json", new ImportOptions());
        Assert.False(summary.RiskScored);
        await w.Risk.AfterImportAsync(summary);

        var scores = await ScoresAsync(w);
        Assert.Equal(summary.Findings + 1, scores.Count);
        // The global not_affected decision on CVE-2099-1003 reached the new image before it was scored.
        var mine = scores.Where(kv => kv.Key.StartsWith($"{summary.Artifacts[0].ArtifactId} ", StringComparison.Ordinal)).ToList();
        Assert.Equal(summary.Findings, mine.Count);
        Assert.True(Assert.Single(mine, kv => kv.Key.EndsWith(" CVE-2099-1003", StringComparison.Ordinal)).Value.Excluded);
        Assert.Contains(mine, kv => !kv.Value.Excluded);
    }
}
