using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Data.Rollups;
using Triage.Testing;

namespace Triage.Data.Tests.Rollups;

/// <summary>ADR 090: the per-vulnerability and per-source-package sums, and each image's parts of them, stay equal to a
/// recount of the open findings through first imports, a second scanner, rescans that retire findings, a package that
/// gets its source name later, groups renamed and merged by another image's report; the grouped views read from them
/// answer exactly what aggregating the findings answers.</summary>
public class GroupRollupTests
{
    private static string Digest(char c) => ReportBuilder.Digest(c);

    private static Task Store(string conn, ReportBuilder b) => b.StoreAsync(conn);

    private static async Task<string> SeedAsync(string provider, Func<string, Task>? check = null)
    {
        var conn = TestDatabases.New(provider);
        check ??= _ => Task.CompletedTask;
        // Image one: openssl without a source name yet, libssl3 under openssl, one CVE in two packages, a GHSA and a zlib advisory.
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.High, source: "openssl")
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Low)
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
            .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"]));
        await check(conn);
        // A second scanner on image one, and image three sharing CVE-2024-0001 at a lower severity.
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.High)
            .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Medium));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/three:1", Digest('3'))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.Medium, source: "openssl")
            .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Unknown)
            .Claim("CVE-2024-0009", "deb", "tar", "1.34", Severity.Critical, fixedIn: ["1.35"]));
        await check(conn);
        // Rescan of image one by Trivy: curl and libssl3 are no longer reported (curl's finding closes, libssl3's too).
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/one:1", Digest('1'))
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Critical, fixedIn: ["3.0.2"])
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium)
            .Claim("CVE-2024-7777", "deb", "zlib1g", "1.2", Severity.High)
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.Medium, fixedIn: ["1.3"]));
        await check(conn);
        // Image two: the GHSA gets its CVE (renamed group), the zlib advisory is CVE-2024-7777 (two existing groups merge,
        // image one's two zlib findings fold into one), and openssl gets its source name (every image's openssl moves).
        await Store(conn, new ReportBuilder(ScannerKind.Grype, "registry.example/other/two:1", Digest('2'))
            .Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.1", Severity.Medium, aliases: ["CVE-2024-5555"])
            .Claim("GHSA-yyyy-yyyy-yyyy", "deb", "zlib1g", "1.2", Severity.High, aliases: ["CVE-2024-7777"])
            .Claim("CVE-2024-0002", "deb", "curl", "7.88", Severity.Critical, fixedIn: ["7.89"])
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.1", Severity.Low, source: "openssl-src"));
        await check(conn);
        // Image three rescanned with nothing left of tar: its finding closes and its sums shrink.
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/three:1", Digest('3'))
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.Medium, source: "openssl")
            .Claim("CVE-2024-0003", "deb", "bash", "5.2", Severity.Unknown));
        await check(conn);
        return conn;
    }

    private sealed record Expected(int Findings, Severity Max, int Images, int Fixable);

    /// <summary>Every stored sum and part equals a recount of the open findings.</summary>
    private static async Task AssertSumsAsync(string conn)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        var open = await db.Findings.AsNoTracking().Where(f => f.Active).ToListAsync();
        var packages = await db.Packages.AsNoTracking().ToDictionaryAsync(p => p.Id);

        static Expected Of(IEnumerable<Finding> g) =>
            new(g.Count(), g.Max(f => f.Severity), g.Select(f => f.ArtifactId).Distinct().Count(), g.Count(f => f.FixAvailable));

        var byGroup = open.GroupBy(f => f.GroupId).ToDictionary(g => g.Key, Of);
        var sums = await db.VulnerabilityRollups.AsNoTracking().ToListAsync();
        Assert.Equal(byGroup.OrderBy(kv => kv.Key).ToList(),
            sums.Select(r => KeyValuePair.Create(r.GroupId, new Expected(r.Findings, r.MaxSeverity, r.Images, r.Fixable))).OrderBy(kv => kv.Key).ToList());
        Assert.All(sums, r => Assert.Equal(r.Images, r.WorstCritical + r.WorstHigh + r.WorstMedium + r.WorstLow + r.WorstUnknown));

        var byGroupAndImage = open.GroupBy(f => (f.ArtifactId, f.GroupId)).ToDictionary(g => g.Key, g => Of(g) with { Images = 1 });
        var parts = await db.VulnerabilityRollupParts.AsNoTracking().ToListAsync();
        Assert.Equal(byGroupAndImage.OrderBy(kv => kv.Key).ToList(),
            parts.Select(p => KeyValuePair.Create((p.ArtifactId, p.GroupId), new Expected(p.Findings, p.MaxSeverity, 1, p.Fixable))).OrderBy(kv => kv.Key).ToList());

        var bySource = open.GroupBy(f => (packages[f.PackageId].Type, packages[f.PackageId].SourceName ?? packages[f.PackageId].Name)).ToDictionary(g => g.Key, Of);
        var sourceSums = await db.SourcePackageRollups.AsNoTracking().ToListAsync();
        Assert.Equal(bySource.OrderBy(kv => kv.Key).ToList(),
            sourceSums.Select(r => KeyValuePair.Create((r.PackageType, r.SourceName), new Expected(r.Findings, r.MaxSeverity, r.Images, r.Fixable)))
                .OrderBy(kv => kv.Key).ToList());
        var sourceParts = await db.SourcePackageRollupParts.AsNoTracking().ToListAsync();
        Assert.Equal(open.GroupBy(f => (f.ArtifactId, packages[f.PackageId].Type, packages[f.PackageId].SourceName ?? packages[f.PackageId].Name))
                .ToDictionary(g => g.Key, g => Of(g) with { Images = 1 }).OrderBy(kv => kv.Key).ToList(),
            sourceParts.Select(p => KeyValuePair.Create((p.ArtifactId, p.PackageType, p.SourceName), new Expected(p.Findings, p.MaxSeverity, 1, p.Fixable)))
                .OrderBy(kv => kv.Key).ToList());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sums_AfterEveryImportRescanMergeAndSourceRename_EqualARecountOfTheOpenFindings(string provider)
    {
        var conn = await SeedAsync(provider, AssertSumsAsync);
        await using var db = TriageDatabase.CreateContext(conn);
        // The scenario did what it says: a merge folded image one's zlib findings, openssl moved to its source name.
        var one = await db.Artifacts.Where(a => a.Digest == Digest('1')).Select(a => a.Id).SingleAsync();
        Assert.Equal(1, await db.Findings.CountAsync(f => f.ArtifactId == one && f.PackageName == "zlib1g"));
        Assert.True(await db.SourcePackageRollups.AnyAsync(r => r.SourceName == "openssl-src"));
        Assert.False(await db.VulnerabilityRollups.AnyAsync(r => !db.AliasGroups.Any(g => g.Id == r.GroupId)));
    }

    /// <summary>ADR 095: an image whose parts did not change skips the five statements; one whose parts changed only in a
    /// severity or a fix count still rewrites them.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sums_AfterRescansThatChangeNothing_AndOneThatOnlyRaisesASeverity_EqualARecount(string provider)
    {
        var conn = await SeedAsync(provider);
        ReportBuilder ImageThree(ScannerKind scanner, Severity bash, string[]? libsslFix = null) =>
            new ReportBuilder(scanner, "registry.example/team/three:1", Digest('3'))
                .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.1", Severity.Medium, source: "openssl", fixedIn: libsslFix)
                .Claim("CVE-2024-0003", "deb", "bash", "5.2", bash);
        await using var db = TriageDatabase.CreateContext(conn);
        async Task<List<(long, Severity, int, int, int)>> Sums() => (await db.VulnerabilityRollups.AsNoTracking().OrderBy(r => r.GroupId).ToListAsync())
            .Select(r => (r.GroupId, r.MaxSeverity, r.Findings, r.Images, r.Fixable)).ToList();
        var before = await Sums();

        await Store(conn, ImageThree(ScannerKind.Trivy, Severity.Unknown));           // the same findings again
        await Store(conn, ImageThree(ScannerKind.Grype, Severity.Unknown));           // another scanner confirms them
        await AssertSumsAsync(conn);
        Assert.Equal(before, await Sums());

        await Store(conn, ImageThree(ScannerKind.Trivy, Severity.High));              // bash's severity rises
        await AssertSumsAsync(conn);
        await Store(conn, ImageThree(ScannerKind.Trivy, Severity.High, ["3.0.2"]));   // libssl3 gets a fix
        await AssertSumsAsync(conn);
        Assert.NotEqual(before, await Sums());
    }

    /// <summary>A rescan that finds exactly what the last scan found, except that the package now has a source name (only
    /// this image holds it): no finding changed, yet the image's part must move to the source name.</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sums_AfterARescanThatOnlyNamesTheSourcePackage_MoveToTheSourceName(string provider)
    {
        var conn = TestDatabases.New(provider);
        ReportBuilder Image(string? source) => new ReportBuilder(ScannerKind.Trivy, "registry.example/team/alone:1", Digest('a'))
            .Claim("CVE-2024-0201", "deb", "libonly1", "1.0", Severity.High, source: source);
        await Store(conn, Image(null));
        await Store(conn, Image("only-src"));
        await AssertSumsAsync(conn);
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(["only-src"], await db.SourcePackageRollups.Select(r => r.SourceName).ToListAsync());
    }

    /// <summary>A rescan moves only the parts that changed, handed back to the database as values: a source name with
    /// NUL, the private-use character PostgreSQL's text escaping uses, quotes and markup must come back as stored, or the
    /// stale part would not be found (and the new one would collide with it).</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Sums_AfterRescansOfPackagesWithHostileSourceNames_EqualARecount(string provider)
    {
        var conn = TestDatabases.New(provider);
        var hostile = "lib\0ssl\uE000'); DROP TABLE \"Findings\";--<script>";
        ReportBuilder Image(Severity severity, params string[] extra)
        {
            var b = new ReportBuilder(ScannerKind.Trivy, "registry.example/team/hostile:1", Digest('e'))
                .Claim("CVE-2024-0101", "deb", "libx", "1.0", severity, source: hostile)
                .Claim("CVE-2024-0102", "deb", "liby", "1.0", Severity.Low, source: hostile);
            foreach (var cve in extra) b.Claim(cve, "deb", "libz", "1.0", Severity.Medium, source: hostile + "-z");
            return b;
        }
        await Store(conn, Image(Severity.Medium));
        await Store(conn, Image(Severity.Critical, "CVE-2024-0103"));   // a part's worst severity rises, a new part appears
        await AssertSumsAsync(conn);
        await Store(conn, Image(Severity.Low));                          // it falls again, the new part leaves
        await AssertSumsAsync(conn);
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(Severity.Low, (await db.SourcePackageRollups.SingleAsync(r => r.SourceName == hostile)).MaxSeverity);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Backfill_OverAnExistingDatabase_GivesTheSumsTheImportsKept(string provider)
    {
        var conn = await SeedAsync(provider);
        await using var db = TriageDatabase.CreateContext(conn);
        var kept = await db.VulnerabilityRollups.AsNoTracking().OrderBy(r => r.GroupId).Select(r => new { r.GroupId, r.Findings, r.Images, r.MaxSeverity, r.Fixable }).ToListAsync();
        var keptSources = await db.SourcePackageRollups.AsNoTracking().OrderBy(r => r.PackageType).ThenBy(r => r.SourceName)
            .Select(r => new { r.SourceName, r.Findings, r.Images, r.MaxSeverity, r.Fixable }).ToListAsync();
        await db.VulnerabilityRollups.ExecuteDeleteAsync();
        await db.VulnerabilityRollupParts.ExecuteDeleteAsync();
        await db.SourcePackageRollups.ExecuteDeleteAsync();
        await db.SourcePackageRollupParts.ExecuteDeleteAsync();
        await db.PackageRollupKeys.ExecuteDeleteAsync();

        foreach (var sql in FindingKeys.BackfillGroupRollupsSql()) await db.Database.ExecuteSqlRawAsync(sql);

        Assert.Equal(kept, await db.VulnerabilityRollups.AsNoTracking().OrderBy(r => r.GroupId).Select(r => new { r.GroupId, r.Findings, r.Images, r.MaxSeverity, r.Fixable }).ToListAsync());
        Assert.Equal(keptSources, await db.SourcePackageRollups.AsNoTracking().OrderBy(r => r.PackageType).ThenBy(r => r.SourceName)
            .Select(r => new { r.SourceName, r.Findings, r.Images, r.MaxSeverity, r.Fixable }).ToListAsync());
        await AssertSumsAsync(conn);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task GroupedViews_FromRollups_AnswerWhatAggregatingTheFindingsAnswers(string provider)
    {
        var conn = await SeedAsync(provider);
        await using (var setup = TriageDatabase.CreateContext(conn))
        {
            var team = new Team { Name = "team", CreatedAt = DateTime.UtcNow };
            setup.Teams.Add(team);
            await setup.SaveChangesAsync();
            await setup.Repositories.Where(r => r.Name.StartsWith("registry.example/team/")).ExecuteUpdateAsync(u => u.SetProperty(r => r.TeamId, team.Id));
        }
        await using var db = TriageDatabase.CreateContext(conn);
        var teamId = await db.Teams.Select(t => t.Id).SingleAsync();
        var one = await db.Artifacts.Where(a => a.Digest == Digest('1')).Select(a => a.Id).SingleAsync();

        var scopes = new (FindingFilter Filter, IQueryable<long>? Artifacts)[]
        {
            (new FindingFilter(), null),
            (new FindingFilter { TeamId = teamId }, FindingQueries.ArtifactScope(db, new FindingFilter { TeamId = teamId })),
            (new FindingFilter { Image = "registry.example/team/one:1" }, db.Artifacts.Where(a => a.Id == one).Select(a => a.Id)),
        };
        foreach (var (filter, artifacts) in scopes)
            foreach (var (skip, take) in new[] { (0, 50), (0, 2), (2, 2), (5, 3) })
            {
                var direct = await FindingGroupQueries.ByVulnerabilityAsync(db, FindingQueries.Filtered(db, filter), skip, take);
                var rolled = await FindingGroupQueries.ByVulnerabilityFromRollupsAsync(db, artifacts, skip, take);
                Assert.Equal(direct.Total, rolled.Total);
                Assert.Equal(direct.Rows, rolled.Rows);
                var directSources = await FindingGroupQueries.BySourcePackageAsync(db, FindingQueries.Filtered(db, filter), skip, take);
                var rolledSources = await FindingGroupQueries.BySourcePackageFromRollupsAsync(db, artifacts, skip, take);
                Assert.Equal(directSources.Total, rolledSources.Total);
                Assert.Equal(directSources.Rows, rolledSources.Rows);
            }
        Assert.True((await FindingGroupQueries.ByVulnerabilityFromRollupsAsync(db, null, 0, 50)).Total >= 5);
    }
}
