using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Stored scores: the SQL order is the ranker's order, decisions take findings out, and scores stay current.</summary>
public class RiskScoreTests
{
    [Fact]
    public void RankKeyOrder_IsTheRankersOrder_ForRandomInputsWithTies()
    {
        var random = new Random(11);
        var policy = RankingPolicy.Default;
        var inputs = Enumerable.Range(0, 20_000).Select(i => new RiskInput
        {
            FindingId = (i % 7_000 + 1).ToString("D19", CultureInfo.InvariantCulture) + (i / 7_000 == 0 ? "" : "-" + i), // ids that tie in everything else
            Severity = (Severity)random.Next(5),
            CvssScore = random.Next(4) == 0 ? null : Math.Round(random.NextDouble() * 10, 1),
            Kev = random.Next(40) == 0,
            KevRansomware = random.Next(2) == 0 ? RansomwareUse.Known : RansomwareUse.Unknown,
            Epss = random.Next(3) == 0 ? null : Math.Round(Math.Pow(random.NextDouble(), 5), random.Next(2, 6)),
            Running = random.Next(3) switch { 0 => null, 1 => false, _ => true },
            Environments = random.Next(2) == 0 ? ["prod"] : [],
            Workloads = random.Next(4),
            Reachability = (ReachabilityVerdict)random.Next(5),
            ReachabilityConfidence = (VerdictConfidence)random.Next(3),
            FixAvailable = random.Next(2) == 0,
            Vex = random.Next(20) == 0 ? RankingVexStatus.NotAffected : RankingVexStatus.None,
        }).ToList();
        var ranker = new RiskRanker(policy);
        var expected = ranker.Rank(inputs).Select(r => r.FindingId).ToList();
        var bySql = inputs.Select(i => (Id: i.FindingId, Key: RiskOrder.RankKey(ranker.Score(i), policy)))
            .OrderByDescending(x => x.Key).ThenBy(x => x.Id, StringComparer.Ordinal).Select(x => x.Id).ToList();
        Assert.Equal(expected, bySql);
    }

    private static async Task SeedAsync(RuntimeWorld w)
    {
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "registry.example/shop:1", "sha256:" + new string('1', 64))
            .Claim("CVE-2021-44228", "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical, fixedIn: ["2.15.0"])
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.High, fixedIn: ["3.0.13-1"])
            .Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Medium)
            .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Low)
            .Claim("CVE-2024-0004", "deb", "tar", "1.34", Severity.Unknown));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype, "registry.example/api:2", "sha256:" + new string('2', 64))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.High)
            .Claim("CVE-2024-0005", "npm", "express", "4.17.1", Severity.High, fixedIn: ["4.19.2"]));
        await w.EnrichBytesAsync(EnrichmentTests.EpssCsv("2025-08-25", 10, ("CVE-2024-0001", 0.3, 0.97), ("CVE-2024-0005", 0.3, 0.97), ("CVE-2024-0002", 0.001, 0.2)), "epss.csv");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PrioritySort_InSql_MatchesTheRanker_AndExplanationsSumToTheScore(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var sorted = await w.FindingsAsync(sort: FindingSort.Priority);
        Assert.Equal(7, sorted.Count);
        List<FindingRiskContext> contexts;
        await using (var db = w.Db())
        {
            await db.Database.OpenConnectionAsync();
            contexts = await RiskInputLoader.LoadAsync(SqlSource.Of(db.Database.GetDbConnection(), db.Provider), RiskScope.All, w.Settings, refreshCvss: true, verdictDetails: false, DateTime.UtcNow, default);
        }
        var ranked = new RiskRanker(w.Policy).Rank(contexts.Select(c => c.Input).ToList());
        Assert.Equal(ranked.Select(r => long.Parse(r.FindingId, CultureInfo.InvariantCulture)), sorted.Select(f => f.Id));
        Assert.All(sorted, f => Assert.Equal(f.Risk!.Score, f.Risk.Why.Sum(x => x.Contribution)));
        // Scores never increase down the list.
        for (var i = 1; i < sorted.Count; i++) Assert.True(sorted[i - 1].Risk!.Score >= sorted[i].Risk!.Score);

        var ascending = await w.FindingsAsync(sort: FindingSort.Priority, descending: false);
        Assert.Equal(sorted.Select(f => f.Id).Reverse(), ascending.Select(f => f.Id));

        // The same data always gives the same ranking.
        await w.Risk.RescoreAllAsync();
        Assert.Equal(sorted.Select(f => f.Id), (await w.FindingsAsync(sort: FindingSort.Priority)).Select(f => f.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task NotAffectedDecision_DropsOutOfTheRanking(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var top = (await w.FindingsAsync(sort: FindingSort.Priority))[0];
        // A decision made on the finding, as the finding page records it (a VEX statement for its digest).
        await new Triage.Data.Vex.DecisionService(w.Conn).RecordAsync(new Triage.Data.Vex.DecisionRequest
        {
            Target = new Triage.Data.Vex.DecisionTarget.Findings([top.Id], DecisionScopeKind.Digest),
            Status = Triage.Core.Vex.VexStatus.NotAffected,
            Justification = Triage.Core.Vex.VexJustification.ComponentNotPresent,
            Author = "Ann",
        });
        await w.Risk.RescoreFindingsAsync([top.Id]);
        var sorted = await w.FindingsAsync(sort: FindingSort.Priority);
        Assert.Equal(top.Id, sorted[^1].Id);
        var risk = sorted[^1].Risk!;
        Assert.True(risk.Excluded);
        Assert.Equal(0m, risk.Score);
        Assert.Equal(SsvcPriority.Track, risk.Priority);
        Assert.Contains(risk.Why, x => x.Factor == "vex" && x.Detail.Contains("not_affected"));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rescan_WithAFix_RaisesTheStoredScore(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Medium));
        var before = Assert.Single(await w.FindingsAsync());
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Medium, fixedIn: ["1.3"]));
        var after = Assert.Single(await w.FindingsAsync());
        Assert.Equal(before.Risk!.Score + 5, after.Risk!.Score);
        await using var db = w.Db();
        Assert.Equal((int)(after.Risk.Score * 10), (await db.FindingRisks.SingleAsync()).ScoreTenths);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task EnsureCurrent_RescoresWhenThePolicyChangesOrScoresAreMissing(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        Assert.False(await w.Risk.EnsureCurrentAsync());

        var stricter = RankingPolicy.Default with { FixAvailableBonus = 0 };
        var other = new FindingRiskService(w.Conn, stricter);
        Assert.True(await other.EnsureCurrentAsync());
        Assert.False(await other.EnsureCurrentAsync());
        // Explanations use the policy that made the stored score.
        var fixable = (await w.FindingsAsync()).First(f => f.FixedVersions.Count > 0);
        Assert.Contains(fixable.Risk!.Why, x => x.Factor == "fix" && x.Contribution == 0);

        await using (var db = w.Db()) await db.FindingRisks.Where(r => r.FindingId == fixable.Id).ExecuteDeleteAsync();
        Assert.True(await other.EnsureCurrentAsync());
        await using (var db = w.Db()) Assert.Equal(7, await db.FindingRisks.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task PriorityFilter_SelectsStoredPriorities(string provider)
    {
        var w = new RuntimeWorld(provider);
        await SeedAsync(w);
        var all = await w.FindingsAsync();
        foreach (var p in Enum.GetValues<SsvcPriority>())
        {
            var selected = await w.FindingsAsync(new FindingFilter { Priorities = [p], IncludeInactive = true });
            Assert.Equal(all.Where(f => f.Risk!.Priority == p).Select(f => f.Id).Order(), selected.Select(f => f.Id).Order());
        }
    }

    [Fact]
    public void Configuration_ListsReplaceDefaults_AndBadPoliciesAreRefused()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Triage:Ranking:KevWeight"] = "40",
            ["Triage:Ranking:MinConfidenceToLower"] = "High",
            ["Triage:Ranking:ProdEnvironments:0"] = "live",
            ["Triage:Ranking:ProdEnvironments:1"] = "prd-eu",
            ["Triage:Runtime:RunningWindowHours"] = "72",
            ["Triage:Runtime:Environments:Namespaces:0:Pattern"] = "shop-*",
            ["Triage:Runtime:Environments:Namespaces:0:Environment"] = "prod",
        }).Build();
        var policy = RuntimeConfiguration.Ranking(config);
        Assert.Equal(40, policy.KevWeight);
        Assert.Equal(VerdictConfidence.High, policy.MinConfidenceToLower);
        Assert.Equal(["live", "prd-eu"], policy.ProdEnvironments);
        Assert.Equal(RankingPolicy.Default.StagingEnvironments, policy.StagingEnvironments);
        var runtime = RuntimeConfiguration.Runtime(config);
        Assert.Equal(TimeSpan.FromHours(72), runtime.RunningWindow);
        Assert.Equal("prod", runtime.Environments.Resolve("shop-eu", new Dictionary<string, string>()));
        Assert.Null(runtime.Environments.Resolve("production", new Dictionary<string, string>())); // the configured list replaced the defaults

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Triage:Ranking:KevWeight"] = "10" }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => RuntimeConfiguration.Ranking(bad));
        Assert.Contains("KevWeight", e.Message);
        Assert.Same(RankingPolicy.Default, RuntimeConfiguration.Ranking(new ConfigurationBuilder().Build()));
    }
}
