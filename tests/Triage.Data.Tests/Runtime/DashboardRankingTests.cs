using Triage.Core.Domain;
using Triage.Core.Ranking;
using Triage.Core.Vex;
using Triage.Data.Queries;
using Triage.Data.Vex;
using Triage.Testing;

namespace Triage.Data.Tests.Runtime;

/// <summary>The dashboard's priority numbers come from the stored ranking: open findings by priority, and top risks in the
/// order the findings list sorts by priority (not by severity), without findings a VEX decision took out.</summary>
public class DashboardRankingTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TopRisks_FollowTheRanking_ByPriorityCounts_LeaveOutVexExcluded(string provider)
    {
        var w = new RuntimeWorld(provider);
        // A KEV-listed medium outranks a critical nobody exploits; two images share the critical.
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/a:1", "sha256:" + new string('a', 64))
            .Claim("CVE-2021-44228", "maven", "org.apache.logging.log4j:log4j-core", "2.14.1", Severity.Medium)
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical, fixedIn: ["3.0.13-1"])
            .Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Low));
        await w.StoreAsync(new ReportBuilder(ScannerKind.Trivy, "docker.io/library/b:1", "sha256:" + new string('b', 64))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical, fixedIn: ["3.0.13-1"]));
        await w.EnrichBytesAsync(System.Text.Encoding.UTF8.GetBytes("""
            {"catalogVersion":"2025.08.25","dateReleased":"2025-08-25T00:00:00Z","count":1,"vulnerabilities":[{"cveID":"CVE-2021-44228","vendorProject":"Apache",
             "product":"Log4j2","vulnerabilityName":"Log4Shell","dateAdded":"2021-12-10","shortDescription":"","requiredAction":"Update","dueDate":"2021-12-24",
             "knownRansomwareCampaignUse":"Known","notes":""}]}
            """), "kev.json");
        await new DecisionService(w.Conn).RecordAsync(new DecisionRequest
        {
            Vulnerability = "CVE-2024-0002", Target = new DecisionTarget.Image("docker.io/library/a:1"), Status = VexStatus.NotAffected,
            Justification = VexJustification.ComponentNotPresent, Author = "alice",
        });
        await w.Risk.RescoreAllAsync();

        await using var db = w.Db();
        var top = await DashboardQueries.TopRisksAsync(db, null, 8);
        Assert.Equal(["CVE-2021-44228", "CVE-2024-0001"], top.Select(t => t.VulnerabilityId));
        Assert.True(top[0].Priority >= SsvcPriority.Attend); // KEV never ranks below Attend
        Assert.True(top[0].Score > top[1].Score);
        Assert.Equal((2, 2), (top[1].Images, top[1].Findings));

        var byPriority = await DashboardQueries.OpenByPriorityAsync(db, null);
        Assert.Equal(3, byPriority.Values.Sum()); // log4j, libssl in two images; zlib is not_affected
        Assert.Equal(1, byPriority.Where(kv => kv.Key >= SsvcPriority.Attend).Sum(kv => kv.Value));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TopRisks_WhenTheTopRowsAreAllOneVulnerability_StillNameTheNextOnes(string provider)
    {
        var w = new RuntimeWorld(provider);
        // 100 critical findings of one CVE (one per package) rank above everything else: more than the first window holds.
        var b = new ReportBuilder(ScannerKind.Trivy, "docker.io/library/a:1", "sha256:" + new string('a', 64));
        for (var i = 0; i < 100; i++) b.Claim("CVE-2024-0001", "deb", $"lib{i:D3}", "1.0", Severity.Critical, fixedIn: ["1.1"]);
        b.Claim("CVE-2024-0002", "deb", "zlib1g", "1.2.13", Severity.Medium).Claim("CVE-2024-0003", "deb", "curl", "7.88", Severity.Low);
        await w.StoreAsync(b);

        await using var db = w.Db();
        var top = await DashboardQueries.TopRisksAsync(db, null, 2);
        Assert.Equal(["CVE-2024-0001", "CVE-2024-0002"], top.Select(t => t.VulnerabilityId));
        Assert.Equal((1, 100), (top[0].Images, top[0].Findings));
        Assert.Equal(["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"], (await DashboardQueries.TopRisksAsync(db, null, 8)).Select(t => t.VulnerabilityId));
    }
}
