using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Rollups;
using Triage.Testing;

namespace Triage.Data.Tests.Rollups;

/// <summary>ADR 090: the stored keys on findings and the rollup rows stay equal to what they summarise through imports,
/// rescans, alias merges, renamed groups and deletions; filters and sorts on them select and order as the joins did.</summary>
public class FindingRollupTests
{
    private static string Digest(char c) => ReportBuilder.Digest(c);

    private static Task Store(string conn, ReportBuilder b) => b.StoreAsync(conn);

    /// <summary>Two images, two scanners, a rescan that drops a claim, a group renamed by a later alias and two existing
    /// groups merged (two findings of one image fold into one).</summary>
    private static async Task<string> SeedAsync(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low)
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
            .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"]));
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.High)
            .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Medium));
        // Rescan by Trivy: curl's finding is no longer reported by anyone (inactive), openssl only by Grype's claim and this one.
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
            .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"]));
        // Another image: the GHSA gets its CVE (the group's canonical id changes for image one too), and the zlib advisory
        // turns out to be CVE-2024-7777 (two existing groups merge; image one's two zlib findings become one).
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/other/two:1", Digest('2'))
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium, aliases: ["CVE-2024-5555"])
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High, aliases: ["CVE-2024-7777"])
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Critical, fixedIn: ["7.89"]));
        return conn;
    }

    private static async Task AssertConsistentAsync(TriageDbContext db)
    {
        var findings = await db.Findings.AsNoTracking().ToListAsync();
        var packages = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name);
        var canonical = await db.AliasGroups.AsNoTracking().ToDictionaryAsync(g => g.Id, g => g.CanonicalId);
        var observations = (await db.Observations.AsNoTracking().Where(o => o.Active).ToListAsync()).ToLookup(o => o.FindingId);
        foreach (var f in findings)
        {
            Assert.Equal(packages[f.PackageId], f.PackageName);
            Assert.Equal(canonical[f.GroupId], f.VulnerabilityId);
            var mask = observations[f.Id].Select(o => ScannerKindNames.TryParse(o.Scanner, out var k) ? k.Bit() : 0).Distinct().Sum();
            Assert.Equal(mask, f.ScannerMask);
        }
        var expected = findings.Where(f => f.Active).GroupBy(f => (f.ArtifactId, f.Severity, f.FixAvailable, f.ScannerMask))
            .ToDictionary(g => g.Key, g => g.Count());
        var actual = (await db.FindingRollups.AsNoTracking().ToListAsync())
            .ToDictionary(r => (r.ArtifactId, r.Severity, r.FixAvailable, r.ScannerMask), r => r.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key).ToList(), actual.OrderBy(kv => kv.Key).ToList());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task KeysAndRollups_AfterImportsRescansRenamesAndMerges_MatchTheFindings(string provider)
    {
        var conn = await SeedAsync(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        await AssertConsistentAsync(db);

        var one = await db.Artifacts.Where(a => a.Digest == Digest('1')).Select(a => a.Id).SingleAsync();
        var lodash = await db.Findings.SingleAsync(f => f.ArtifactId == one && f.PackageName == "lodash");
        Assert.Equal("CVE-2024-5555", lodash.VulnerabilityId);                    // renamed by the other image's report
        Assert.Equal(1, await db.Findings.CountAsync(f => f.ArtifactId == one && f.PackageName == "zlib1g"));   // merged
        var openssl = await db.Findings.SingleAsync(f => f.ArtifactId == one && f.PackageName == "openssl");
        Assert.Equal(ScannerKind.Trivy.Bit() | ScannerKind.Grype.Bit(), openssl.ScannerMask);
        Assert.False((await db.Findings.SingleAsync(f => f.ArtifactId == one && f.PackageName == "curl")).Active);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task ScannerMask_WhenAnotherImagesAliasMergesTwoScannersFindings_IsTheUnionOfBoth(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-9000", "deb", "libxml2", "2.9", Severity.High));
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/team/one:1", Digest('1'))
            .Claim("GHSA-zzzz-zzzz-zzzz", "deb", "libxml2", "2.9", Severity.Medium));
        await using (var before = TriageDatabase.CreateContext(conn))
            Assert.Equal([1, 2], (await before.Findings.Select(f => f.ScannerMask).ToListAsync()).Order());

        // Image two's report says the advisory is the CVE: image one's two findings fold into one that both scanners report.
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/other/two:1", Digest('2'))
            .Claim("GHSA-zzzz-zzzz-zzzz", "deb", "libxml2", "2.9", Severity.Medium, aliases: ["CVE-2024-9000"]));

        await using var db = TriageDatabase.CreateContext(conn);
        var one = await db.Artifacts.Where(a => a.Digest == Digest('1')).Select(a => a.Id).SingleAsync();
        var merged = await db.Findings.SingleAsync(f => f.ArtifactId == one);
        Assert.Equal(ScannerKind.Trivy.Bit() | ScannerKind.Grype.Bit(), merged.ScannerMask);
        await AssertConsistentAsync(db);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rescan_ThatNoLongerReportsAFinding_ClosesItWithItsLastSeverityAndFixedVersions(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low));
        // The same scanner again, the same verdict on curl: nothing indexed changes, only when it was last seen.
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low));

        await using var db = TriageDatabase.CreateContext(conn);
        var openssl = await db.Findings.SingleAsync(f => f.PackageName == "openssl");
        Assert.False(openssl.Active);
        Assert.Equal(Severity.Critical, openssl.Severity);       // what it was when it was last reported
        Assert.Equal(["3.0.2"], openssl.FixedVersions);
        Assert.True(openssl.FixAvailable);
        Assert.Equal(0, openssl.ScannerMask);
        var curl = await db.Findings.SingleAsync(f => f.PackageName == "curl");
        Assert.True(curl.Active);
        Assert.Equal(2, curl.Version);
        Assert.Equal(ScannerKind.Trivy.Bit(), curl.ScannerMask);
        await AssertConsistentAsync(db);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rollups_ArtifactDeleted_TheirRowsGoWithIt(string provider)
    {
        var conn = await SeedAsync(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var two = await db.Artifacts.Where(a => a.Digest == Digest('2')).Select(a => a.Id).SingleAsync();
        Assert.True(await db.FindingRollups.AnyAsync(r => r.ArtifactId == two));

        await db.Artifacts.Where(a => a.Id == two).ExecuteDeleteAsync();

        Assert.False(await db.FindingRollups.AnyAsync(r => r.ArtifactId == two));
        await AssertConsistentAsync(db);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Filters_OnStoredKeysAndRollups_SelectAndCountAsTheJoinsDid(string provider)
    {
        var conn = await SeedAsync(provider);
        await using (var setup = TriageDatabase.CreateContext(conn))
        {
            var team = new Team { Name = "team", CreatedAt = DateTime.UtcNow };
            setup.Teams.Add(team);
            await setup.SaveChangesAsync();
            await setup.Repositories.Where(r => r.Name == "registry.example/team/one").ExecuteUpdateAsync(u => u.SetProperty(r => r.TeamId, team.Id));
        }
        await using var db = TriageDatabase.CreateContext(conn);
        var teamId = await db.Teams.Select(t => t.Id).SingleAsync();

        // The joins the filters used before ADR 090, as the reference.
        IQueryable<Finding> Reference(FindingFilter f)
        {
            var q = db.Findings.AsNoTracking().Where(x => f.IncludeInactive || x.Active);
            if (f.TeamId is { } t)
                q = q.Where(x => db.Artifacts.Any(a => a.Id == x.ArtifactId && db.Repositories.Any(r => r.Id == a.RepositoryId && r.TeamId == t)));
            if (f.Scanner is { } s) q = q.Where(x => db.Observations.Any(o => o.FindingId == x.Id && o.Active && o.Scanner == s));
            if (f.Package is { } p)
                q = q.Where(x => db.Packages.Any(pk => pk.Id == x.PackageId && (pk.Name.ToLower().Contains(p) || pk.Key.ToLower().Contains(p)
                    || (pk.SourceName != null && pk.SourceName.ToLower().Contains(p)))));
            if (f.FixAvailable is { } fix) q = q.Where(x => x.FixAvailable == fix);
            if (f.MinSeverity is { } min) q = q.Where(x => x.Severity >= min);
            return q;
        }

        FindingFilter[] filters =
        [
            new(), new() { IncludeInactive = true }, new() { Scanner = "grype" }, new() { Scanner = "trivy", FixAvailable = true },
            new() { Scanner = "snyk" }, new() { Package = "zlib" }, new() { Package = "pkg:npm" }, new() { TeamId = teamId },
            new() { TeamId = teamId, MinSeverity = Severity.High }, new() { FixAvailable = false, MinSeverity = Severity.Medium },
        ];
        foreach (var filter in filters)
        {
            var expected = await Reference(filter).OrderBy(f => f.Id).Select(f => f.Id).ToListAsync();
            Assert.Equal(expected, await FindingQueries.Filtered(db, filter).OrderBy(f => f.Id).Select(f => f.Id).ToListAsync());
            if (FindingCounts.CanAnswer(filter)) Assert.Equal(expected.Count, await FindingCounts.TryCountAsync(db, filter, null));
        }
        var visible = db.Artifacts.Where(a => db.Repositories.Any(r => r.Id == a.RepositoryId && r.TeamId == teamId)).Select(a => a.Id);
        Assert.Equal(await FindingQueries.Filtered(db, new FindingFilter()).CountAsync(f => visible.Contains(f.ArtifactId)),
            await FindingCounts.TryCountAsync(db, new FindingFilter(), visible));

        // Sorts on stored keys order as the joined names did (ties by id).
        var all = FindingQueries.Filtered(db, new FindingFilter { IncludeInactive = true });
        foreach (var descending in new[] { false, true })
        {
            var byPackage = descending
                ? all.OrderByDescending(f => db.Packages.Where(p => p.Id == f.PackageId).Select(p => p.Name).FirstOrDefault()).ThenBy(f => f.Id)
                : all.OrderBy(f => db.Packages.Where(p => p.Id == f.PackageId).Select(p => p.Name).FirstOrDefault()).ThenBy(f => f.Id);
            Assert.Equal(await byPackage.Select(f => f.Id).ToListAsync(),
                await FindingQueries.Sort(all, db, FindingSort.Package, descending).Select(f => f.Id).ToListAsync());
            var byVulnerability = descending
                ? all.OrderByDescending(f => db.AliasGroups.Where(g => g.Id == f.GroupId).Select(g => g.CanonicalId).FirstOrDefault()).ThenBy(f => f.Id)
                : all.OrderBy(f => db.AliasGroups.Where(g => g.Id == f.GroupId).Select(g => g.CanonicalId).FirstOrDefault()).ThenBy(f => f.Id);
            Assert.Equal(await byVulnerability.Select(f => f.Id).ToListAsync(),
                await FindingQueries.Sort(all, db, FindingSort.Vulnerability, descending).Select(f => f.Id).ToListAsync());
        }

        var bySeverity = await DashboardQueries.OpenBySeverityAsync(db, null);
        var counted = await db.Findings.Where(f => f.Active).GroupBy(f => f.Severity).Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N);
        Assert.Equal(counted.OrderBy(kv => kv.Key), bySeverity.OrderBy(kv => kv.Key));
    }
}
