using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Triage.Core.Vex;
using Triage.Data.Queries;
using Triage.Data.Runtime;
using Triage.Data.Vex;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>Ranking and runtime evidence against the VEX decision store: decisions in force take findings out of the ranking,
/// KEV listings and contradicting evidence flag decisions for re-review, and verdicts only ever propose.</summary>
public class VexIntegrationTests
{
    private static DecisionRequest NotAffected(string vuln, string image, VexJustification justification) => new()
    {
        Vulnerability = vuln,
        Target = new DecisionTarget.Image(image),
        Status = VexStatus.NotAffected,
        Justification = justification,
        Author = "alice",
    };

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task NotAffectedInTheVexStore_DropsOutOfTheStoredRanking(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy)
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical, fixedIn: ["3.0.13-1"])
            .Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Low));
        var top = (await w.FindingsAsync(sort: FindingSort.Priority))[0];
        Assert.Equal("CVE-2024-0001", top.Vulnerability.Id);

        await new DecisionService(w.Conn).RecordAsync(NotAffected("CVE-2024-0001", "docker.io/library/app:1", VexJustification.ComponentNotPresent));
        await w.Risk.RescoreAllAsync();
        var sorted = await w.FindingsAsync(sort: FindingSort.Priority);
        Assert.Equal("CVE-2024-0002", sorted[0].Vulnerability.Id);
        var excluded = sorted[^1];
        Assert.Equal(VexStatus.NotAffected, excluded.Vex!.Status);
        Assert.True(excluded.Risk!.Excluded);
        Assert.Equal(0m, excluded.Risk.Score);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task CveEnteringKev_FlagsItsDecisionsForReReview(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Grype)
            .Claim("CVE-2021-44228", "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Critical, aliases: ["GHSA-jfh8-c2jp-5v3q"]));
        // Decided before CISA listed it (2021-12-10): a listing after the decision is news to its author.
        var before = new FixedTime(new DateTimeOffset(2021, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await new DecisionService(w.Conn, before).RecordAsync(NotAffected("GHSA-jfh8-c2jp-5v3q", "docker.io/library/app:1", VexJustification.VulnerableCodeNotInExecutePath));

        var kev = await w.EnrichAsync(TestPaths.Fixture("enrich", "kev", "known_exploited_vulnerabilities.json"));
        Assert.Equal(1, kev.ReReviewFlagged);
        var review = Assert.Single(await new DecisionService(w.Conn).ReReviewAsync());
        Assert.Contains(review.Flags, f => f.Reason == ReReviewReason.EnteredKev);
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task EvidenceAgainstTheJustification_FlagsTheDecision_AndChangesNothingElse(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.ImportJsonAsync(RuntimeVerdictTests.NginxScan(), "nginx-distroless-trivy.json");
        var image = $"{RuntimeVerdictTests.NginxImage}@{RuntimeVerdictTests.NginxDigest}";
        var libssl = (await w.FindingsAsync()).Single(f => f.Package.Name == "libssl1.1");
        var geoip = (await w.FindingsAsync()).Single(f => f.Package.Name == "libgeoip1");
        await new DecisionService(w.Conn).RecordAsync(NotAffected(libssl.Vulnerability.Id, image, VexJustification.ComponentNotPresent));
        await new DecisionService(w.Conn).RecordAsync(NotAffected(geoip.Vulnerability.Id, image, VexJustification.ComponentNotPresent));

        var ingest = await w.IngestAsync(TestPaths.Fixture("runtime", "slim", "nginx-distroless_creport.json"), new RuntimeIngestOptions { Image = image });
        // libssl is loaded at runtime: "component not present" is contradicted. libgeoip1 is indeed gone: no flag.
        Assert.Equal(1, ingest.Refresh.ReReviewFlagged);
        var review = Assert.Single(await new DecisionService(w.Conn).ReReviewAsync());
        Assert.Contains(review.Flags, f => f.Reason == ReReviewReason.EvidenceContradictsJustification);

        // The decisions still stand: evidence proposes, people decide.
        var after = (await w.FindingsAsync()).ToDictionary(f => f.Package.Name);
        Assert.Equal(VexStatus.NotAffected, after["libssl1.1"].Vex!.Status);
        Assert.Equal(ReachabilityVerdict.Loaded, after["libssl1.1"].Risk!.Reachability.Verdict);
        Assert.True(after["libssl1.1"].Risk!.Excluded);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Ranking_ReadsTheVexStoresEffectiveDecisions_FixedDropsOutAndFollowsTheTable(string provider)
    {
        var w = new RuntimeWorld(provider);
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy)
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical, fixedIn: ["3.0.13-1"])
            .Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Low));
        await new DecisionService(w.Conn).RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-0001",
            Target = new DecisionTarget.Image("docker.io/library/app:1"),
            Status = VexStatus.Fixed,
            Author = "alice",
        });
        await w.Risk.RescoreAllAsync();
        var fixedOne = (await w.FindingsAsync(sort: FindingSort.Priority))[^1];
        Assert.Equal(("CVE-2024-0001", VexStatus.Fixed, true), (fixedOne.Vulnerability.Id, fixedOne.Vex!.Status, fixedOne.Risk!.Excluded));

        // Ranking reads the rows the VEX store maintains and resolves nothing itself: without the row, the finding ranks.
        await using (var db = w.Db()) await db.EffectiveDecisions.ExecuteDeleteAsync();
        await w.Risk.RescoreAllAsync();
        await using (var db = w.Db())
            Assert.DoesNotContain(await db.FindingRisks.ToListAsync(), r => r.Excluded);
    }
}
