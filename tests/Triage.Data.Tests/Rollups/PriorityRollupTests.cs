using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Core.Ranking;
using Triage.Core.Vex;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Rollups;
using Triage.Data.Runtime;
using Triage.Data.Tests.Runtime;
using Triage.Data.Vex;
using Triage.Testing;

namespace Triage.Data.Tests.Rollups;

/// <summary>ADR 090: the per-artifact counts of open, ranked findings by priority (<see cref="PriorityRollup"/>) stay equal
/// to counting the open findings joined to their scores through imports scored inside the import, a rescan that closes
/// findings, an import scored only afterwards, KEV (every finding rescored), EPSS (only the moved findings rescored), a
/// VEX decision taking findings out of the ranking, and a merge of alias groups that folds findings; the dashboard's
/// breakdown, for everyone and per repository, answers what the join answers.</summary>
public class PriorityRollupTests
{
    private const string One = "registry.example/team/one:1", Two = "registry.example/team/two:1", Three = "registry.example/other/three:1";
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private sealed record Row(long ArtifactId, SsvcPriority Priority, int Count);

    /// <summary>The stored rows, and the dashboard's breakdown for all and for each repository, equal counting the findings.</summary>
    private static async Task<List<Row>> AssertExactAsync(string conn)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        var direct = (await (from f in db.Findings.AsNoTracking()
                             where f.Active
                             join r in db.FindingRisks on f.Id equals r.FindingId
                             where !r.Excluded
                             group r by new { f.ArtifactId, r.Priority } into g
                             select new { g.Key.ArtifactId, g.Key.Priority, Count = g.Count() }).ToListAsync())
            .Select(x => new Row(x.ArtifactId, x.Priority, x.Count)).OrderBy(x => x.ArtifactId).ThenBy(x => x.Priority).ToList();
        var stored = (await db.PriorityRollups.AsNoTracking().ToListAsync())
            .Select(x => new Row(x.ArtifactId, x.Priority, x.Count)).OrderBy(x => x.ArtifactId).ThenBy(x => x.Priority).ToList();
        Assert.Equal(direct, stored);

        var artifactRepo = await db.Artifacts.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.RepositoryId);
        static Dictionary<SsvcPriority, int> Sum(IEnumerable<Row> rows) => rows.GroupBy(r => r.Priority).ToDictionary(g => g.Key, g => g.Sum(r => r.Count));
        Assert.Equal(Sum(direct).OrderBy(kv => kv.Key), (await DashboardQueries.OpenByPriorityAsync(db, null)).OrderBy(kv => kv.Key));
        foreach (var repo in await db.Repositories.Select(r => r.Id).ToListAsync())
            Assert.Equal(Sum(direct.Where(r => artifactRepo[r.ArtifactId] == repo)).OrderBy(kv => kv.Key),
                (await DashboardQueries.OpenByPriorityAsync(db, db.Repositories.Where(r => r.Id == repo).Select(r => r.Id))).OrderBy(kv => kv.Key));
        return stored;
    }

    private static ReportBuilder FirstScanOfOne() => new ReportBuilder(ScannerKind.Trivy, One, Digest('1'))
        .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
        .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low)
        .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Medium)
        .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
        .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
        .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"]);

    private static async Task<ImportSummary> ImportUnscoredAsync(RuntimeWorld w, ReportBuilder b) =>
        await new ReportImporter(w.Conn).StoreAsync(ImportPlan.Build(b.Build(), null, "r.json"), "r.json", Guid.NewGuid().ToString("N"), [1], 1, new ImportOptions());

    /// <summary>Runs the whole story, checking after every step; returns the world.</summary>
    private static async Task<RuntimeWorld> StoryAsync(string provider)
    {
        var w = new RuntimeWorld(provider);

        // Two images, each scored inside its import (no decision exists yet).
        Assert.True((await w.StoreAsync(FirstScanOfOne())).RiskScored);
        await AssertExactAsync(w.Conn);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, Two, Digest('2'))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"], source: "openssl")
            .Claim("CVE-2024-0009", "deb", "tar", "1.34", Severity.High));
        var start = await AssertExactAsync(w.Conn);
        Assert.Equal(2, start.Select(r => r.ArtifactId).Distinct().Count());

        // A rescan of image one no longer reports curl and bash (their findings close) and reports a new CVE.
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, One, Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
            .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"])
            .Claim("CVE-2024-0010", "deb", "gzip", "1.12", Severity.High, fixedIn: ["1.13"]));
        await AssertExactAsync(w.Conn);
        await using (var db = w.Db()) Assert.Equal(2, await db.Findings.CountAsync(f => !f.Active));

        // An importer without the risk service: the rescan of image two closes tar's finding and opens an unscored one;
        // the counts follow the closed finding at once, then the refresh after the import scores the new one.
        var unscored = await ImportUnscoredAsync(w, new ReportBuilder(ScannerKind.Trivy, Two, Digest('2'))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"], source: "openssl")
            .Claim("CVE-2024-0011", "deb", "sed", "4.9", Severity.Critical));
        Assert.False(unscored.RiskScored);
        await AssertExactAsync(w.Conn);
        await w.Risk.AfterImportAsync(unscored);
        var beforeKev = await AssertExactAsync(w.Conn);

        // KEV lists the zlib CVE: every finding is scored again.
        var kev = await w.EnrichBytesAsync(System.Text.Encoding.UTF8.GetBytes("""
            {"catalogVersion":"2025.08.25","dateReleased":"2025-08-25T00:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2024-7777","vendorProject":"zlib",
             "product":"zlib","vulnerabilityName":"zlib","dateAdded":"2025-08-01","shortDescription":"","requiredAction":"Update","dueDate":"2025-08-22",
             "knownRansomwareCampaignUse":"Unknown","notes":""}]}
            """), "kev.json");
        Assert.True(kev.Refresh.FindingsScored > 0);
        var afterKev = await AssertExactAsync(w.Conn);
        Assert.NotEqual(beforeKev, afterKev);

        // EPSS moves two CVEs: only their findings are scored again (the counts change by difference).
        var epss = await w.EnrichBytesAsync(EnrichmentTests.EpssCsv("2025-08-25", 5, ("CVE-2024-0001", 0.97, 0.999), ("CVE-2024-0011", 0.9, 0.99)), "epss.csv");
        await using (var db = w.Db())
            Assert.InRange(epss.Refresh.FindingsScored, 1, await db.Findings.CountAsync() - 1);
        var afterEpss = await AssertExactAsync(w.Conn);
        Assert.NotEqual(afterKev, afterEpss);

        // A not_affected decision about CVE-2024-0001 in image one: its finding leaves the ranking (excluded) and the counts
        // at once, in the decision's own transaction; scoring it again later changes nothing more.
        await new DecisionService(w.Conn).RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-0001", Target = new DecisionTarget.Image(One), Status = VexStatus.NotAffected,
            Justification = VexJustification.VulnerableCodeNotInExecutePath, Author = "alice",
        });
        var afterDecision = await AssertExactAsync(w.Conn);
        List<long> decided;
        await using (var db = w.Db())
            decided = await db.Findings.Where(f => f.VulnerabilityId == "CVE-2024-0001").Select(f => f.Id).ToListAsync();
        Assert.Equal(2, (await w.Risk.RescoreFindingsAsync(decided)).FindingsScored);
        Assert.Equal(afterDecision, await AssertExactAsync(w.Conn));
        Assert.Equal(afterEpss.Sum(r => r.Count) - 1, afterDecision.Sum(r => r.Count));

        // Image three says the zlib GHSA is CVE-2024-7777: the two groups merge and image one's two zlib findings fold into
        // one. A decision exists, so the import does not score; its hook recounts the images of the merged groups.
        var merged = await ImportUnscoredAsync(w, new ReportBuilder(ScannerKind.Grype, Three, Digest('3'))
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High, aliases: ["CVE-2024-7777"]));
        await AssertExactAsync(w.Conn);
        await w.Risk.AfterImportAsync(merged);
        await AssertExactAsync(w.Conn);
        await using (var db = w.Db())
        {
            var one = await db.Artifacts.Where(a => a.Digest == Digest('1')).Select(a => a.Id).SingleAsync();
            Assert.Equal(1, await db.Findings.CountAsync(f => f.ArtifactId == one && f.PackageName == "zlib1g"));
        }

        // Every score again (the web app's start when the policy changed) rewrites every row.
        await w.Risk.RescoreAllAsync();
        await AssertExactAsync(w.Conn);
        return w;
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Counts_AfterImportsRescansRescoringEpssKevDecisionsAndAMerge_EqualCountingTheScoredOpenFindings(string provider)
    {
        var w = await StoryAsync(provider);
        await using var db = w.Db();
        Assert.False(await db.PriorityRollups.AnyAsync(r => r.Count <= 0));
    }

    /// <summary>A whole-database scoring goes a slice of artifacts at a time (memory follows the slice): one artifact per
    /// slice, or all in one, gives the same scores, priorities, periods and counts.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RescoringEverything_InSlicesOfArtifacts_GivesWhatOnePassGives(string provider)
    {
        var w = await StoryAsync(provider);
        async Task<object> StateAsync()
        {
            await using var db = w.Db();
            var risks = (await db.FindingRisks.AsNoTracking().ToListAsync())
                .Select(r => (r.FindingId, r.ScoreTenths, r.Priority, r.Excluded, r.RankKey, r.CvssScore, r.PrioritySince)).Order().ToList();
            var periods = await db.FindingRiskPeriods.AsNoTracking().CountAsync();
            return (string.Join(";", risks), periods, string.Join(";", await AssertExactAsync(w.Conn)));
        }
        await using (var db = w.Db()) Assert.True(await db.Artifacts.CountAsync() >= 3);
        var onePass = await new FindingRiskService(w.Conn, w.Policy, w.Settings, w.Time) { SliceFindings = int.MaxValue }.RescoreAllAsync();
        var expected = await StateAsync();

        var sliced = await new FindingRiskService(w.Conn, w.Policy, w.Settings, w.Time) { SliceFindings = 1 }.RescoreAllAsync();

        Assert.Equal(onePass.FindingsScored, sliced.FindingsScored);
        await using (var db = w.Db()) Assert.Equal(await db.Findings.CountAsync(), sliced.FindingsScored);
        Assert.Equal(expected, await StateAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Backfill_OverAnExistingDatabase_GivesTheCountsTheWritersKept(string provider)
    {
        var w = await StoryAsync(provider);
        await using var db = w.Db();
        var kept = await db.PriorityRollups.AsNoTracking().OrderBy(r => r.ArtifactId).ThenBy(r => r.Priority).Select(r => new { r.ArtifactId, r.Priority, r.Count }).ToListAsync();
        Assert.NotEmpty(kept);
        await db.PriorityRollups.ExecuteDeleteAsync();

        foreach (var sql in PriorityRollupSql.RebuildSql("1 = 1")) await db.Database.ExecuteSqlRawAsync(sql);

        Assert.Equal(kept, await db.PriorityRollups.AsNoTracking().OrderBy(r => r.ArtifactId).ThenBy(r => r.Priority).Select(r => new { r.ArtifactId, r.Priority, r.Count }).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DeletingAnArtifact_RemovesItsCounts(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(FirstScanOfOne());
        await using var db = w.Db();
        Assert.True(await db.PriorityRollups.AnyAsync());
        await db.Artifacts.ExecuteDeleteAsync();
        Assert.False(await db.PriorityRollups.AnyAsync());
    }
}
