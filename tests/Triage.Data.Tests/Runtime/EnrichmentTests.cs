using System.Globalization;
using System.IO.Compression;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ingest;
using Triage.Core.Ranking;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>KEV and EPSS through the database, matched to findings through their alias groups.</summary>
public class EnrichmentTests
{
    private const string Log4Shell = "CVE-2021-44228";
    private const string Log4ShellGhsa = "GHSA-jfh8-c2jp-5v3q";

    /// <summary>A FIRST-shaped EPSS CSV (generated rows, plus the CVEs a test needs).</summary>
    internal static byte[] EpssCsv(string scoreDate, int generated, params (string Cve, double Epss, double Percentile)[] extra)
    {
        var random = new Random(7);
        var sb = new StringBuilder();
        sb.Append($"#model_version:v2025.03.14,score_date:{scoreDate}T00:00:00+0000\ncve,epss,percentile\n");
        for (var i = 0; i < generated; i++)
        {
            var epss = Math.Round(Math.Pow(random.NextDouble(), 6), 5);
            sb.Append(CultureInfo.InvariantCulture, $"CVE-{1999 + i * 27 / Math.Max(1, generated)}-{90000 + i},{epss.ToString("0.#####", CultureInfo.InvariantCulture)},{Math.Round(Math.Pow(epss, 0.15), 5).ToString("0.#####", CultureInfo.InvariantCulture)}\n");
        }
        foreach (var (cve, e, p) in extra) sb.Append(CultureInfo.InvariantCulture, $"{cve},{e},{p}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    /// <summary>Image A: Snyk reports log4j-core by its GHSA id only. Image B: Grype reports the CVE and names the GHSA as
    /// related, which joins the two ids in one alias group. Image C: a GHSA that names no CVE anywhere.</summary>
    private static async Task SeedAsync(RuntimeWorld w)
    {
        await w.StoreAsync(new ReportBuilder(ScannerKind.Snyk, "registry.example/a:1", "sha256:" + new string('a', 64))
            .Claim(Log4ShellGhsa, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical, fixedIn: ["2.15.0"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype, "registry.example/b:1", "sha256:" + new string('b', 64))
            .Claim(Log4Shell, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical, aliases: [Log4ShellGhsa], fixedIn: ["2.15.0"]));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Snyk, "registry.example/c:1", "sha256:" + new string('c', 64))
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "left-pad", "1.0.0", Severity.Medium));
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KevAndEpss_ReachAGhsaOnlyFindingThroughItsAliasGroup(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var flagged = new List<string>();
        var kev = await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"), (cves, _) =>
        {
            flagged.AddRange(cves.Keys);
            return Task.FromResult(cves.Count);
        });
        Assert.Equal(("kev", "json", "2025.08.25", new DateOnly(2025, 8, 25)), (kev.Feed, kev.Format, kev.Version, kev.DataDate));
        Assert.Equal(1404, kev.Rows);
        Assert.Equal(1404, kev.Added);
        Assert.Equal(1404, kev.ReReviewFlagged);
        Assert.Contains(Log4Shell, flagged);
        Assert.Equal(3, kev.Refresh.FindingsScored);

        var epss = await w.EnrichBytesAsync(EpssCsv("2025-08-25", 500, (Log4Shell, 0.94358, 0.99957)), "epss_scores-2025-08-25.csv");
        Assert.Equal(("epss", "csv", new DateOnly(2025, 8, 25), 501, 501), (epss.Feed, epss.Format, epss.DataDate, epss.Rows, epss.Added));

        var f = (await w.FindingsAsync()).ToDictionary(x => x.Repository);
        var a = f["registry.example/a"];
        Assert.Equal([Log4ShellGhsa], a.Observations.Select(o => o.RawId)); // the scanner said GHSA only
        var risk = a.Risk!;
        Assert.True(risk.Kev.Listed);
        Assert.Equal((new DateOnly(2021, 12, 10), RansomwareUse.Known), (risk.Kev.DateAdded, risk.Kev.Ransomware));
        Assert.Equal(0.94358, risk.Epss!.Score);
        Assert.Equal(0.99957, risk.Epss.Percentile);
        Assert.Equal((new DateOnly(2025, 8, 25), Log4Shell), (risk.Epss.Date, risk.Epss.Cve));
        Assert.Contains(risk.Why, x => x.Factor == "kev" && x.Contribution == 40 && x.Detail.Contains("2021-12-10"));
        Assert.Contains(risk.Why, x => x.Factor == "epss" && x.Contribution == 0); // KEV already shows exploitation
        Assert.True(risk.Priority >= SsvcPriority.Attend);
        Assert.Equal(risk.Score, risk.Why.Sum(x => x.Contribution));
        Assert.Equal(risk.Score, f["registry.example/b"].Risk!.Score);

        var c = f["registry.example/c"].Risk!;
        Assert.False(c.Kev.Listed);
        Assert.Null(c.Epss);
        Assert.True(c.Score < risk.Score);

        // Stored scores agree with what is shown.
        await using var db = w.Db();
        var stored = await db.FindingRisks.SingleAsync(r => r.FindingId == a.Id);
        Assert.Equal((int)(risk.Score * 10), stored.ScoreTenths);
        Assert.Equal(risk.Priority, stored.Priority);
    }

    /// <summary>Scoring after an import reads the groups' CVEs only when some EPSS or KEV data is stored: with none, every
    /// finding has no enrichment; with some, a scan imported after the feeds gets it at once.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ScanImportedAfterTheFeeds_IsScoredWithThem_AndWithoutFeedsWithNothing(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype, "registry.example/early:1", "sha256:" + new string('e', 64))
            .Claim(Log4Shell, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical));
        var early = Assert.Single(await w.FindingsAsync());
        Assert.False(early.Risk!.Kev.Listed);
        Assert.Null(early.Risk.Epss);
        var withoutFeeds = await StoredScoresAsync(w.Conn);

        await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"));
        await w.EnrichBytesAsync(EpssCsv("2025-08-25", 10, (Log4Shell, 0.94358, 0.99957)), "epss_scores-2025-08-25.csv");
        await w.StoreAsync(new ReportBuilder(ScannerKind.Snyk, "registry.example/late:1", "sha256:" + new string('f', 64))
            .Claim(Log4ShellGhsa, "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical, aliases: [Log4Shell]));

        var late = (await w.FindingsAsync()).Single(f => f.Repository == "registry.example/late");
        Assert.True(late.Risk!.Kev.Listed);
        Assert.Equal(0.94358, late.Risk.Epss!.Score);
        // The score stored by the import's own refresh counts KEV (+35 points) against the same finding scored without feeds.
        var stored = await StoredScoresAsync(w.Conn);
        Assert.True(stored[late.Id] > withoutFeeds[early.Id] + 300, $"late {stored[late.Id]}, early without feeds {withoutFeeds[early.Id]}");
    }

    private static async Task<Dictionary<long, int>> StoredScoresAsync(string conn)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        return await db.FindingRisks.AsNoTracking().ToDictionaryAsync(r => r.FindingId, r => r.ScoreTenths);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Kev_SameBytesTwice_AndTheCsvForm_ChangeNothing(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var json = await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"));
        Assert.Equal(0, json.ReReviewFlagged); // no decisions yet
        var again = await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"));
        Assert.True(again.Duplicate);

        var csv = await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.csv"));
        Assert.Equal(("csv", false, 1404), (csv.Format, csv.Duplicate, csv.Rows));
        Assert.Equal((0, 0, 0), (csv.Added, csv.Changed, csv.Removed));
        await using var db = w.Db();
        Assert.Equal(1404, await db.KevListings.CountAsync());
        var log4 = await db.KevListings.SingleAsync(k => k.CveId == Log4Shell);
        Assert.Equal((new DateTime(2021, 12, 10), RansomwareUse.Known), (log4.DateAdded, log4.Ransomware));
        Assert.Equal(2, await db.EnrichmentImports.CountAsync()); // the duplicate is not recorded
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Kev_OlderCatalog_IsRefused(string provider)
    {
        var w = new RuntimeWorld(provider);
        static byte[] Catalog(string released, string cve) => Encoding.UTF8.GetBytes(
            $$"""{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"{{released[..10].Replace('-', '.')}}","dateReleased":"{{released}}","count":1,"vulnerabilities":[{"cveID":"{{cve}}","vendorProject":"X","product":"Y","vulnerabilityName":"Z","dateAdded":"2024-01-02","dueDate":"2024-01-23","knownRansomwareCampaignUse":"Unknown"}]}""");
        var newer = await w.EnrichBytesAsync(Catalog("2025-01-10T00:00:00Z", "CVE-2024-0001"), "kev.json");
        Assert.Equal(1, newer.Added);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => w.EnrichBytesAsync(Catalog("2024-06-01T00:00:00Z", "CVE-2024-0002"), "old-kev.json"));
        Assert.Contains("older", e.Message);
        var replaced = await w.EnrichBytesAsync(Catalog("2025-02-01T00:00:00Z", "CVE-2024-0003"), "kev2.json");
        Assert.Equal((1, 1), (replaced.Added, replaced.Removed));
        await using var db = w.Db();
        Assert.Equal(["CVE-2024-0003"], await db.KevListings.Select(k => k.CveId).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Epss_GzipAndNewerScoresWin_OlderNeverReplace(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var first = await w.EnrichBytesAsync(Gzip(EpssCsv("2025-08-25", 100, (Log4Shell, 0.5, 0.9))), "epss.csv.gz");
        Assert.Equal(("csv.gz", 101), (first.Format, first.Added));
        var newer = await w.EnrichBytesAsync(EpssCsv("2025-08-26", 100, (Log4Shell, 0.6, 0.95)), "epss-26.csv");
        Assert.Equal((0, 101), (newer.Added, newer.Changed));
        var older = await w.EnrichBytesAsync(EpssCsv("2025-08-20", 0, (Log4Shell, 0.01, 0.1), ("CVE-2020-12345", 0.2, 0.8)), "epss-20.csv");
        Assert.Equal((1, 0), (older.Added, older.Changed)); // a new CVE is added; the newer log4j score stays

        await using var db = w.Db();
        var log4 = await db.EpssEntries.SingleAsync(e => e.Cve == Log4Shell);
        Assert.Equal((0.6, 0.95, new DateTime(2025, 8, 26)), (log4.Epss, log4.Percentile, log4.ScoreDate));
        var a = (await w.FindingsAsync()).Single(x => x.Repository == "registry.example/a");
        Assert.Equal((0.6, new DateOnly(2025, 8, 26)), (a.Risk!.Epss!.Score, a.Risk.Epss.Date));
        Assert.Contains(a.Risk.Why, x => x.Factor == "epss" && x.Detail.Contains("0.6"));
    }

    /// <summary>A newer EPSS file rewrites every row it names (each keeps the file's date), but only the findings whose
    /// group holds a CVE whose score or percentile moved, or that is new, are scored again; what they are given is what a
    /// full rescore gives.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Epss_NewerFile_ScoresOnlyTheFindingsWhoseEpssMoved_AsAFullRescoreWould(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w); // log4j in images a and b (one alias group), a GHSA-only finding in c
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/d:1", "sha256:" + new string('d', 64))
            .Claim("CVE-2023-4911", "deb", "libc6", "2.36-9", Severity.High)
            .Claim("CVE-2024-0001", "deb", "zlib1g", "1.2.13", Severity.Medium));
        var first = await w.EnrichBytesAsync(EpssCsv("2025-08-25", 50, (Log4Shell, 0.5, 0.9), ("CVE-2023-4911", 0.2, 0.8)), "epss-25.csv");
        Assert.Equal((52, 0, 3), (first.Added, first.Changed, first.Refresh.FindingsScored)); // both log4j findings and glibc

        // The next day: log4j's score moves, glibc's stays (only its date changes), zlib enters the feed.
        var next = await w.EnrichBytesAsync(
            EpssCsv("2025-08-26", 50, (Log4Shell, 0.6, 0.95), ("CVE-2023-4911", 0.2, 0.8), ("CVE-2024-0001", 0.01, 0.3)), "epss-26.csv");
        Assert.Equal((1, 52, 3), (next.Added, next.Changed, next.Refresh.FindingsScored));
        await using (var db = w.Db())
        {
            Assert.All(await db.EpssEntries.ToListAsync(), e => Assert.Equal(new DateTime(2025, 8, 26), e.ScoreDate));
            Assert.Equal(0.6, (await db.EpssEntries.SingleAsync(e => e.Cve == Log4Shell)).Epss);
        }
        var findings = await w.FindingsAsync();
        Assert.Equal(new DateOnly(2025, 8, 26), findings.Single(f => f.Vulnerability.Id == "CVE-2023-4911").Risk!.Epss!.Date);
        Assert.Equal(0.01, findings.Single(f => f.Vulnerability.Id == "CVE-2024-0001").Risk!.Epss!.Score);

        // The same file again, and an older one over it, score nothing.
        Assert.True((await w.EnrichBytesAsync(EpssCsv("2025-08-26", 50, (Log4Shell, 0.6, 0.95), ("CVE-2023-4911", 0.2, 0.8), ("CVE-2024-0001", 0.01, 0.3)),
            "again.csv")).Duplicate);
        var older = await w.EnrichBytesAsync(EpssCsv("2025-08-20", 0, (Log4Shell, 0.01, 0.1)), "epss-20.csv");
        Assert.Equal((0, 0, 0), (older.Added, older.Changed, older.Refresh.FindingsScored));

        var scored = await StoredRisksAsync(w.Conn);
        await w.Risk.RefreshEverythingAsync();
        Assert.Equal(await StoredRisksAsync(w.Conn), scored);
    }

    /// <summary>What the daily full rescore used to refresh besides EPSS: a decision in force that expired since the score
    /// (only the clock moved) and one recorded after it (decisions do not rescore). The next EPSS file scores those findings
    /// too, although their EPSS did not move, and the stored scores equal a full rescore.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Epss_NextFile_AlsoScoresFindingsWhoseDecisionExpiredOrChangedSinceScored_AsAFullRescoreWould(string provider)
    {
        var clock = new MovableTime(new DateTimeOffset(2025, 8, 25, 6, 0, 0, TimeSpan.Zero));
        var w = new RuntimeWorld(provider, time: clock);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/e:1", "sha256:" + new string('e', 64))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical)
            .Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.High)
            .Claim("CVE-2024-0003", "deb", "libc6", "2.36-9", Severity.Medium));
        var decisions = new Triage.Data.Vex.DecisionService(w.Conn, clock);
        await decisions.RecordAsync(new Triage.Data.Vex.DecisionRequest
        {
            Vulnerability = "CVE-2024-0002", Target = new Triage.Data.Vex.DecisionTarget.Image("registry.example/e:1"), Status = Triage.Core.Vex.VexStatus.NotAffected,
            Justification = Triage.Core.Vex.VexJustification.ComponentNotPresent, Author = "alice", ExpiresAt = clock.GetUtcNow().AddHours(1),
        });
        var epss = EpssCsv("2025-08-25", 20, ("CVE-2024-0001", 0.5, 0.9), ("CVE-2024-0002", 0.2, 0.8), ("CVE-2024-0003", 0.1, 0.7));
        Assert.Equal(3, (await w.EnrichBytesAsync(epss, "epss-25.csv")).Refresh.FindingsScored);
        Assert.True(await StoredExcludedAsync(w, "CVE-2024-0002"));

        // Two hours later zlib's decision has expired (nothing swept it), and libc6 is decided not_affected: the decision
        // scores libc6 again in its own transaction.
        clock.Now = clock.Now.AddHours(2);
        await decisions.RecordAsync(new Triage.Data.Vex.DecisionRequest
        {
            Vulnerability = "CVE-2024-0003", Target = new Triage.Data.Vex.DecisionTarget.Image("registry.example/e:1"), Status = Triage.Core.Vex.VexStatus.NotAffected,
            Justification = Triage.Core.Vex.VexJustification.VulnerableCodeNotPresent, Author = "alice",
        });
        Assert.True(await StoredExcludedAsync(w, "CVE-2024-0003"));
        // The next day only libssl's score moves; zlib is scored for its expired decision.
        var next = await w.EnrichBytesAsync(EpssCsv("2025-08-26", 20, ("CVE-2024-0001", 0.6, 0.95), ("CVE-2024-0002", 0.2, 0.8), ("CVE-2024-0003", 0.1, 0.7)),
            "epss-26.csv");
        Assert.Equal(2, next.Refresh.FindingsScored);
        Assert.False(await StoredExcludedAsync(w, "CVE-2024-0002"));
        Assert.True(await StoredExcludedAsync(w, "CVE-2024-0003"));

        // Nothing is stale any more: a further file that moves nothing scores nothing.
        var same = await w.EnrichBytesAsync(EpssCsv("2025-08-27", 20, ("CVE-2024-0001", 0.6, 0.95), ("CVE-2024-0002", 0.2, 0.8), ("CVE-2024-0003", 0.1, 0.7)),
            "epss-27.csv");
        Assert.Equal(0, same.Refresh.FindingsScored);

        var scored = await StoredRisksAsync(w.Conn);
        await w.Risk.RefreshEverythingAsync();
        Assert.Equal(await StoredRisksAsync(w.Conn), scored);
    }

    /// <summary>The stored score's exclusion (pages rebuild explanations with the real clock; this is what the dashboard counts).</summary>
    private static async Task<bool> StoredExcludedAsync(RuntimeWorld w, string cve)
    {
        await using var db = w.Db();
        return await (from r in db.FindingRisks
                      join f in db.Findings on r.FindingId equals f.Id
                      join v in db.Vulnerabilities on f.GroupId equals v.GroupId
                      where v.VulnId == cve
                      select r.Excluded).SingleAsync();
    }

    private static async Task<List<(long, int, int, long)>> StoredRisksAsync(string conn)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        return (await db.FindingRisks.AsNoTracking().OrderBy(r => r.FindingId).ToListAsync())
            .Select(r => (r.FindingId, r.ScoreTenths, (int)r.Priority, r.RankKey)).ToList();
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task EpssApiJson_AgainstRealNginxScans_UsesTheImportDate(string provider)
    {
        var today = new DateTimeOffset(2025, 7, 9, 10, 0, 0, TimeSpan.Zero);
        var w = new RuntimeWorld(provider, time: new FixedTime(today));
        await w.ImportFileAsync(TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json"));
        await w.ImportFileAsync(TestPaths.Fixture("matched", "nginx-latest-debian13", "grype.json"));
        var epss = await w.EnrichAsync(TestPaths.Fixture("enrich", "epss", "dimpact_epss-scores_nginx-1.27.4.json"));
        Assert.Equal(("json", 107), (epss.Format, epss.Rows));
        Assert.Contains(epss.Warnings, x => x.Contains("no score date"));

        var findings = await w.FindingsAsync();
        var withEpss = findings.Where(f => f.Risk!.Epss is not null).ToList();
        Assert.NotEmpty(withEpss);
        Assert.All(withEpss, f => Assert.Equal(new DateOnly(2025, 7, 9), f.Risk!.Epss!.Date));
        // Every finding whose group has a CVE in the file carries its score; the others none.
        var scored = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("enrich", "epss", "dimpact_epss-scores_nginx-1.27.4.json")))
            .RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("cve").GetString()!, e => e.GetProperty("epss").GetDouble());
        foreach (var f in findings)
        {
            var cves = new[] { f.Vulnerability.Id }.Concat(f.Vulnerability.Aliases).Where(scored.ContainsKey).ToList();
            if (cves.Count == 0) Assert.Null(f.Risk!.Epss);
            else Assert.Equal(cves.Max(c => scored[c]), f.Risk!.Epss!.Score);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task UnknownFile_IsRefusedWithItsReason(string provider)
    {
        var w = new RuntimeWorld(provider);
        var e = await Assert.ThrowsAsync<ReportFormatException>(() => w.EnrichBytesAsync(Encoding.UTF8.GetBytes("id,name\n1,x\n"), "other.csv"));
        Assert.Contains("neither a CISA KEV catalog", e.Message);
        // JSON that is neither (a pod list) is refused the same way, not read as EPSS rows.
        var json = await Assert.ThrowsAsync<ReportFormatException>(() => w.EnrichBytesAsync(Encoding.UTF8.GetBytes("{\"kind\":\"PodList\",\"items\":[]}"), "pods.json"));
        Assert.Contains("neither a CISA KEV catalog", json.Message);
    }
}

/// <summary>A clock that says one time.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal sealed class MovableTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
