using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Testing;

namespace Triage.Data.Tests.Queries;

/// <summary>Issue 3 §4–5: findings followed across digests, exposure of a vulnerability, grouping for people.</summary>
public class IdentityViewTests
{
    private const string Repo = "registry.example/team/api";
    private static string Digest(char c) => ReportBuilder.Digest(c);

    private static Task Store(string conn, ReportBuilder b, string? image = null) => b.StoreAsync(conn, image);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Lifecycle_AcrossDigests_IsNewStillPresentFixedAndReintroduced(string provider)
    {
        var conn = TestDatabases.New(provider);
        // v1: A on openssl and B on curl. v2: A stays (openssl upgraded but still vulnerable), B fixed, C new.
        // v3: B comes back (curl downgraded), C fixed.
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, $"{Repo}:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1").Claim("CVE-2024-0002", "deb", "curl", "7.88"));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, $"{Repo}:2", Digest('2'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.2").Claim("CVE-2024-0003", "deb", "zlib1g", "1.2"));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, $"{Repo}:3", Digest('3'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.2").Claim("CVE-2024-0002", "deb", "curl", "7.87"));

        await using var db = TriageDatabase.CreateContext(conn);
        var digests = await LifecycleQueries.ForRepositoryAsync(db, Repo);
        Assert.Equal([Digest('1'), Digest('2'), Digest('3')], digests.Select(d => d.Digest));

        string States(int i) => string.Join(" ", digests[i].Problems.OrderBy(p => p.VulnerabilityId, StringComparer.Ordinal).Select(p => $"{p.VulnerabilityId}:{p.State.ToWire()}"));
        Assert.Equal("CVE-2024-0001:new CVE-2024-0002:new", States(0));
        Assert.Equal("CVE-2024-0001:still_present CVE-2024-0002:fixed CVE-2024-0003:new", States(1));
        Assert.Equal("CVE-2024-0001:still_present CVE-2024-0002:reintroduced CVE-2024-0003:fixed", States(2));
        var upgraded = digests[1].Problems.Single(p => p.VulnerabilityId == "CVE-2024-0001");
        Assert.Equal(("3.0.2", "3.0.1"), (upgraded.Version, upgraded.PreviousVersion));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Exposure_ByAliasOrAdvisory_ListsEveryImageAndPackage(string provider)
    {
        var conn = TestDatabases.New(provider);
        var b1 = new ReportBuilder(ScannerKind.Trivy, "registry.example/a/one:1", Digest('a')).Claim("CVE-2023-4911", "deb", "libc6", "2.36-9");
        var b2 = new ReportBuilder(ScannerKind.Grype, "registry.example/b/two:1", Digest('b'))
            .Claim("GHSA-aaaa-bbbb-cccc", "deb", "libc6", "2.36-9", aliases: ["CVE-2023-4911"])
            .Claim("CVE-2023-9999", "deb", "libc6", "2.36-9");
        await Store(conn, b1);
        await Store(conn, b2);

        await using var db = TriageDatabase.CreateContext(conn);
        var byAlias = await ExposureQueries.FindAsync(db, "ghsa-aaaa-bbbb-cccc");
        var v = Assert.Single(byAlias.Vulnerabilities);
        Assert.Equal("CVE-2023-4911", v.Id);
        Assert.Contains("GHSA-aaaa-bbbb-cccc", v.Aliases);
        Assert.Equal(["registry.example/a/one", "registry.example/b/two"], v.Images.Select(i => i.Repository));
        Assert.All(v.Images, i => Assert.Equal("libc6", Assert.Single(i.Packages).Name));

        var unknown = await ExposureQueries.FindAsync(db, "CVE-1999-0001");
        Assert.False(unknown.Known);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GroupBySourcePackage_PutsBinaryPackagesUnderTheirSource(string provider)
    {
        var conn = TestDatabases.New(provider);
        var report = new ReportBuilder(ScannerKind.Grype, $"{Repo}:1", Digest('9'))
            .Claim("CVE-2024-1111", "deb", "libssl3", "3.0.11", Severity.High, source: "openssl")
            .Claim("CVE-2024-1111", "deb", "openssl", "3.0.11", Severity.High, source: "openssl")
            .Claim("CVE-2024-2222", "deb", "libssl-dev", "3.0.11", Severity.Critical, source: "openssl", fixedIn: ["3.0.13"])
            .Claim("CVE-2024-3333", "deb", "libcurl4", "7.88", Severity.Low, source: "curl");
        await Store(conn, report);

        await using var db = TriageDatabase.CreateContext(conn);
        var groups = await GroupingQueries.GroupAsync(db, new FindingFilter(), GroupingQueries.GroupBy.SourcePackage);
        var openssl = groups[0];
        Assert.Equal("openssl", openssl.Key);
        Assert.Equal(3, openssl.Findings);
        Assert.Equal(Severity.Critical, openssl.MaxSeverity);
        Assert.Equal(1, openssl.Fixable);
        Assert.Equal(["libssl-dev", "libssl3", "openssl"], openssl.Members);
        Assert.Equal("curl", groups[1].Key);

        var byVuln = await GroupingQueries.GroupAsync(db, new FindingFilter(), GroupingQueries.GroupBy.Vulnerability);
        Assert.Equal(2, byVuln.Single(g => g.Key == "CVE-2024-1111").Findings);
    }
}
