using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data.Vex;
using Triage.Testing;
using static Triage.Data.Tests.Vex.VexWorld;

namespace Triage.Data.Tests.Vex;

/// <summary>Recording decisions and reading them back, on SQLite and PostgreSQL: refusals, scope, precedence, time series,
/// append-only history, aliases, decisions following the image.</summary>
public class DecisionServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Record_NotAffectedWithoutJustification_IsRefusedWithTheRuleAndNothingIsStored(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));

        var e = await Assert.ThrowsAsync<VexRuleException>(() => w.Decisions.RecordAsync(Status("CVE-2024-0001", AtImage(D1), VexStatus.NotAffected)));
        Assert.Equal(VexRuleCode.NotAffectedWithoutJustification, e.Violation.Code);
        var a = await Assert.ThrowsAsync<VexRuleException>(() => w.Decisions.RecordAsync(Status("CVE-2024-0001", AtImage(D1), VexStatus.Affected)));
        Assert.Equal(VexRuleCode.AffectedWithoutActionStatement, a.Violation.Code);

        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(0, await db.Decisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Record_ImageDecision_GovernsThatDigestsFindingsOfTheVulnerabilityAndNothingElse(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0001", "ssl_client", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));

        var outcome = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Image($"{App}:1"), author: "checks"));

        Assert.True(outcome.Recorded);
        var d = Assert.Single(outcome.Decisions);
        Assert.Equal(DecisionScopeKind.Digest, d.ScopeKind);
        Assert.Equal(D1, d.Digest);
        Assert.Equal(2, outcome.Applies);
        Assert.Equal(2, outcome.Governs);
        foreach (var pkg in new[] { "busybox", "ssl_client" })
        {
            var vex = (await w.Finding(D1, "CVE-2024-0001", pkg)).Vex!;
            Assert.Equal(VexStatus.NotAffected, vex.Status);
            Assert.Equal("vulnerable_code_not_in_execute_path", vex.Justification);
            Assert.Equal(DecisionScopeKind.Digest, vex.Scope);
            Assert.Equal("user", vex.Source);
            Assert.Equal("checks", vex.Author);
            Assert.Equal(w.Clock.Now, vex.Timestamp);
            Assert.Equal(d.Id, vex.DecisionId);
        }
        Assert.Null((await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex);
        Assert.Null((await w.Finding(D1, "CVE-2024-0002", "zlib")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task RepositoryDecision_FollowsTheImageToADigestImportedLater_ADigestDecisionDoesNot(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0002", AtImage(D1)));

        // The tag moves to a rebuild: a new digest with the same findings.
        await w.Scan(Image($"{App}:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0002", "zlib", "1.3.1-r0")));

        var followed = (await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex;
        Assert.NotNull(followed);
        Assert.Equal(VexStatus.NotAffected, followed.Status);
        Assert.Equal(DecisionScopeKind.Repository, followed.Scope);
        Assert.Null((await w.Finding(D2, "CVE-2024-0002", "zlib")).Vex);
        Assert.NotNull((await w.Finding(D1, "CVE-2024-0002", "zlib")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ImageTag_NamesItsCurrentDigest(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await Task.Delay(20);
        await w.Scan(Image($"{App}:1", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));

        var outcome = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Image($"{App}:1")));

        Assert.Equal(D2, Assert.Single(outcome.Decisions).Digest);
        Assert.NotNull((await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex);
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task History_IsAppendOnly_TheLaterStatementInAScopeWins_AndEveryStatementStays(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        var first = await w.Decisions.RecordAsync(Status("CVE-2024-0001", AtImage(D1), VexStatus.UnderInvestigation, "alice"));
        w.Clock.Advance(TimeSpan.FromHours(1));
        var second = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1), "bob"));

        var finding = await w.Finding(D1, "CVE-2024-0001", "busybox");
        Assert.Equal(VexStatus.NotAffected, finding.Vex!.Status);
        var history = await w.Decisions.HistoryAsync(finding.Id);
        Assert.NotNull(history);
        Assert.Equal([first.Decisions[0].Id, second.Decisions[0].Id], history.Timeline.Select(e => e.Decision.Id));
        Assert.False(history.Timeline[0].Effective);
        Assert.Contains("time series", history.Timeline[0].Reason);
        Assert.True(history.Timeline[1].Effective);
        Assert.Equal(first.Decisions[0].Id, history.Timeline[1].Decision.SupersedesId);
        Assert.Equal(second.Decisions[0].Id, history.Effective!.DecisionId);

        await using var db = TriageDatabase.CreateContext(w.Connection);
        var rows = await db.Decisions.OrderBy(d => d.Id).ToListAsync();
        Assert.Equal([VexStatus.UnderInvestigation, VexStatus.NotAffected], rows.Select(r => r.Status));
        Assert.Equal(["alice", "bob"], rows.Select(r => r.Author));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task MoreSpecificScopeWins_WhateverTheTime_AndEachImageGetsItsOwnWinner(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image($"{App}:2", D2, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Scan(Image("docker.io/library/other:1", D3, ("CVE-2024-0001", "busybox", "1.36.1-r15")));

        await w.Decisions.RecordAsync(Affected("CVE-2024-0001", AtImage(D1)));
        w.Clock.Advance(TimeSpan.FromHours(1));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtRepository));
        w.Clock.Advance(TimeSpan.FromHours(1));
        var global = await w.Decisions.RecordAsync(Status("CVE-2024-0001", DecisionTarget.Everywhere.Instance, VexStatus.Fixed));

        Assert.Equal(3, global.Applies);
        Assert.Equal(1, global.Governs);
        Assert.Equal(VexStatus.Affected, (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!.Status);
        Assert.Equal(VexStatus.NotAffected, (await w.Finding(D2, "CVE-2024-0001", "busybox")).Vex!.Status);
        var other = (await w.Finding(D3, "CVE-2024-0001", "busybox")).Vex!;
        Assert.Equal(VexStatus.Fixed, other.Status);
        Assert.Equal(DecisionScopeKind.Global, other.Scope);

        var history = await w.Decisions.HistoryAsync((await w.Finding(D1, "CVE-2024-0001", "busybox")).Id);
        Assert.Equal(3, history!.Timeline.Count);
        Assert.Contains("more specific", history.Timeline.Single(e => e.Decision.ScopeKind == DecisionScopeKind.Global).Reason);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Record_OnAnAlias_AppliesThroughTheAliasGroup(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(new ReportBuilder(ScannerKind.Trivy, $"{App}:1", D1).Claim("CVE-2023-1111", "npm", "lodash", "4.17.20", purl: "pkg:npm/lodash@4.17.20"));
        await w.Scan(new ReportBuilder(ScannerKind.Grype, $"{App}:1", D1)
            .Claim("GHSA-xxxx-yyyy-zzzz", "npm", "lodash", "4.17.20", aliases: ["CVE-2023-1111"], purl: "pkg:npm/lodash@4.17.20"));

        var outcome = await w.Decisions.RecordAsync(NotAffected("ghsa-XXXX-yyyy-zzzz", AtRepository, package: "pkg:npm/lodash"));

        Assert.Equal("GHSA-xxxx-yyyy-zzzz", outcome.Decisions[0].Vulnerability);
        Assert.Equal(1, outcome.Governs);
        var f = Assert.Single(await w.Findings());
        Assert.Equal("CVE-2023-1111", f.Vulnerability.Id);
        Assert.Equal(VexStatus.NotAffected, f.Vex!.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Record_PackageScopedDecision_LeavesTheVulnerabilityOnOtherPackagesUndecided(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15"), ("CVE-2024-0001", "ssl_client", "1.36.1-r15")));

        var outcome = await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1), package: "pkg:apk/alpine/busybox"));

        Assert.Equal(1, outcome.Applies);
        Assert.NotNull((await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex);
        Assert.Null((await w.Finding(D1, "CVE-2024-0001", "ssl_client")).Vex);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Record_UnknownVulnerabilityImageOrBareRepository_IsATargetErrorAndNothingIsStored(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));

        var vuln = await Assert.ThrowsAsync<DecisionTargetException>(() => w.Decisions.RecordAsync(NotAffected("CVE-2099-0001", AtImage(D1))));
        Assert.Equal(DecisionTargetError.UnknownVulnerability, vuln.Error);
        var image = await Assert.ThrowsAsync<DecisionTargetException>(() => w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Image($"{App}:9"))));
        Assert.Equal(DecisionTargetError.UnknownImage, image.Error);
        var repo = await Assert.ThrowsAsync<DecisionTargetException>(() => w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Repository("ghcr.io/nobody/nothing"))));
        Assert.Equal(DecisionTargetError.UnknownImage, repo.Error);
        var bare = await Assert.ThrowsAsync<DecisionTargetException>(() => w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", new DecisionTarget.Image(App))));
        Assert.Equal(DecisionTargetError.Invalid, bare.Error);
        var purl = await Assert.ThrowsAsync<DecisionTargetException>(() => w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1), package: "busybox")));
        Assert.Equal(DecisionTargetError.Invalid, purl.Error);

        await using var db = TriageDatabase.CreateContext(w.Connection);
        Assert.Equal(0, await db.Decisions.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ExpiredDecision_NoLongerGoverns_TheOneBelowItDoes(string provider)
    {
        var w = new VexWorld(provider);
        await w.Scan(Image($"{App}:1", D1, ("CVE-2024-0001", "busybox", "1.36.1-r15")));
        await w.Decisions.RecordAsync(Affected("CVE-2024-0001", AtRepository));
        await w.Decisions.RecordAsync(NotAffected("CVE-2024-0001", AtImage(D1)) with { ExpiresAt = w.Clock.Now.AddDays(1) });

        // The findings list judges expiry by the real clock, which is 30 days past the test clock.
        var vex = (await w.Finding(D1, "CVE-2024-0001", "busybox")).Vex!;
        Assert.Equal(VexStatus.Affected, vex.Status);
        Assert.Equal(DecisionScopeKind.Repository, vex.Scope);
        w.Clock.Advance(TimeSpan.FromDays(2));
        var history = await w.Decisions.HistoryAsync((await w.Finding(D1, "CVE-2024-0001", "busybox")).Id);
        Assert.Contains("expired", history!.Timeline.Single(e => e.Decision.Status == VexStatus.NotAffected).Reason);
    }
}
