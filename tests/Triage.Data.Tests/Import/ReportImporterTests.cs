using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Data.Queries;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

public class ReportImporterTests
{
    private static async Task<ImportSummary> Store(string conn, ReportBuilder b, string? sha = null, string? image = null)
    {
        var plan = ImportPlan.Build(b.Build(), image, "report.json");
        return await new ReportImporter(conn).StoreAsync(plan, "report.json", sha ?? Guid.NewGuid().ToString("N"), [1, 2, 3], 3, new ImportOptions());
    }

    private static async Task<List<FindingView>> Findings(string conn, bool all = false)
    {
        await using var db = TriageDatabase.CreateContext(conn);
        return await FindingQueries.ToViewsAsync(db, FindingQueries.Filtered(db, new FindingFilter { IncludeInactive = all }).OrderBy(f => f.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_NewReport_CreatesOneFindingPerClaim(string provider)
    {
        var conn = TestDatabases.New(provider);
        var summary = await Store(conn, new ReportBuilder(ScannerKind.Trivy)
            .Claim("CVE-2024-0001", "deb", "libssl3", "3.0.11-1", Severity.Critical, fixedIn: ["3.0.13-1"])
            .Claim("CVE-2024-0002", "deb", "libssl3", "3.0.11-1", Severity.Low)
            .Claim("CVE-2024-0001", "deb", "openssl", "3.0.11-1", Severity.High));

        Assert.Equal(3, summary.Findings);
        Assert.Equal(3, summary.NewFindings);
        Assert.Equal(3, summary.Observations);
        Assert.False(summary.Duplicate);
        var findings = await Findings(conn);
        Assert.Equal(3, findings.Count);
        var crit = Assert.Single(findings, f => f.Severity == Severity.Critical);
        Assert.Equal("CVE-2024-0001", crit.Vulnerability.Id);
        Assert.Equal(["3.0.13-1"], crit.FixedVersions);
        Assert.Equal(["trivy"], crit.Scanners);
        Assert.Equal("docker.io/library/app:1", crit.Image);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_SameBytesTwice_IsDuplicateAndChangesNothing(string provider)
    {
        var conn = TestDatabases.New(provider);
        var b = new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-0001", "deb", "libc6", "2.36-9");
        var first = await Store(conn, b, sha: "aa");
        var second = await Store(conn, new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-0009", "deb", "zlib1g", "1.2"), sha: "aa");

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.Findings, second.Findings);
        Assert.Single(await Findings(conn));
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(1, await db.Scans.CountAsync());
        Assert.Equal(1, await db.RawReports.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_TwoScannersSameProblemUnderDifferentIds_MergeIntoOneFindingWithBothObservations(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2023-1111", "npm", "lodash", "4.17.20", Severity.High, fixedIn: ["4.17.21"]));
        var g = await Store(conn, new ReportBuilder(ScannerKind.Grype)
            .Claim("GHSA-xxxx-yyyy-zzzz", "npm", "lodash", "4.17.20", Severity.Critical, aliases: ["CVE-2023-1111"], purl: "pkg:npm/lodash@4.17.20"));

        Assert.Equal(0, g.NewFindings);
        var f = Assert.Single(await Findings(conn));
        Assert.Equal("CVE-2023-1111", f.Vulnerability.Id);
        Assert.Contains("GHSA-xxxx-yyyy-zzzz", f.Vulnerability.Aliases);
        Assert.Equal(["grype", "trivy"], f.Scanners.Order());
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(2, f.Observations.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_AliasLearnedLater_MergesExistingFindings(string provider)
    {
        var conn = TestDatabases.New(provider);
        // Snyk knows only its own id and the GHSA; Trivy knows the CVE; Grype later says the GHSA is the CVE.
        await Store(conn, new ReportBuilder(ScannerKind.Snyk).Claim("SNYK-JS-LODASH-1", "npm", "lodash", "4.17.20", aliases: ["GHSA-aaaa-bbbb-cccc"]));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2023-2222", "npm", "lodash", "4.17.20"));
        Assert.Equal(2, (await Findings(conn)).Count);

        await Store(conn, new ReportBuilder(ScannerKind.Grype).Claim("GHSA-aaaa-bbbb-cccc", "npm", "lodash", "4.17.20", aliases: ["CVE-2023-2222"]));
        var f = Assert.Single(await Findings(conn));
        Assert.Equal("CVE-2023-2222", f.Vulnerability.Id);
        Assert.Equal(["GHSA-aaaa-bbbb-cccc", "SNYK-JS-LODASH-1"], f.Vulnerability.Aliases);
        Assert.Equal(3, f.Scanners.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_RecordNamingTwoCves_IsEvidenceForEachAndNeverMergesThem(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Snyk).Claim("SNYK-DEBIAN12-CURL-1", "deb", "curl", "7.88", aliases: ["CVE-2023-0001", "CVE-2023-0002"]));
        var findings = await Findings(conn);
        Assert.Equal(["CVE-2023-0001", "CVE-2023-0002"], findings.Select(f => f.Vulnerability.Id).Order());
        Assert.All(findings, f => Assert.DoesNotContain(f.Vulnerability.Aliases, a => a.StartsWith("CVE-", StringComparison.Ordinal)));

        // An assertion that would join the two CVEs through a GHSA is recorded but not applied.
        await Store(conn, new ReportBuilder(ScannerKind.Grype).Claim("GHSA-1111-2222-3333", "deb", "curl", "7.88", aliases: ["CVE-2023-0001"]));
        await Store(conn, new ReportBuilder(ScannerKind.Grype, digest: "sha256:" + new string('c', 64)).Claim("GHSA-1111-2222-3333", "deb", "curl", "7.88", aliases: ["CVE-2023-0002"]));
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.True(await db.AliasAssertions.AnyAsync(a => a.FromId == "GHSA-1111-2222-3333" && a.ToId == "CVE-2023-0002" && !a.Applied));
        var groups = await db.AliasGroups.Select(g => g.CanonicalId).ToListAsync();
        Assert.Contains("CVE-2023-0001", groups);
        Assert.Contains("CVE-2023-0002", groups);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Rescan_SameScannerSameDigest_ReplacesItsObservationsAndRetiresTheRest(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy)
            .Claim("CVE-2024-0001", "deb", "libc6", "2.36-9")
            .Claim("CVE-2024-0002", "deb", "libc6", "2.36-9"));
        await Store(conn, new ReportBuilder(ScannerKind.Grype).Claim("CVE-2024-0002", "deb", "libc6", "2.36-9"));
        var rescan = await Store(conn, new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-0001", "deb", "libc6", "2.36-9", Severity.Critical));

        Assert.Equal(0, rescan.NewFindings);
        var all = await Findings(conn, all: true);
        Assert.Equal(2, all.Count);
        var one = all.Single(f => f.Vulnerability.Id == "CVE-2024-0001");
        Assert.True(one.Active);
        Assert.Equal(Severity.Critical, one.Severity);
        Assert.Single(one.Observations);
        // Still reported by Grype, so still active; Trivy's observation is kept, inactive, with its history.
        var two = all.Single(f => f.Vulnerability.Id == "CVE-2024-0002");
        Assert.True(two.Active);
        Assert.Equal(["grype"], two.Scanners);
        Assert.Contains(two.Observations, o => o.Scanner == "trivy" && !o.Active);

        await Store(conn, new ReportBuilder(ScannerKind.Grype).Claim("CVE-2024-0001", "deb", "libc6", "2.36-9"));
        var gone = (await Findings(conn, all: true)).Single(f => f.Vulnerability.Id == "CVE-2024-0002");
        Assert.False(gone.Active);
        Assert.DoesNotContain(await Findings(conn), f => f.Vulnerability.Id == "CVE-2024-0002");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_ReportWithoutDigest_JoinsTheArtifactOfTheSameTag(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Snyk, "registry.example/team/api:2.0", digest: null).Claim("CVE-2024-0005", "deb", "bash", "5.2"));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy, "registry.example/team/api:2.0").Claim("CVE-2024-0005", "deb", "bash", "5.2"));
        var f = Assert.Single(await Findings(conn));
        Assert.Equal(["snyk", "trivy"], f.Scanners.Order());
        Assert.NotNull(f.Digest);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_PackageSpellingsAcrossScanners_AreOnePackage(string provider)
    {
        var conn = TestDatabases.New(provider);
        await Store(conn, new ReportBuilder(ScannerKind.Trivy)
            .Claim("CVE-2024-1000", "gomod", "golang.org/x/net", "v0.17.0")
            .Claim("CVE-2024-1001", "jar", "org.apache.logging.log4j:log4j-core", "2.14.1")
            .Claim("CVE-2024-1002", "pip", "PyYAML", "5.3"));
        await Store(conn, new ReportBuilder(ScannerKind.Snyk)
            .Claim("SNYK-GOLANG-1", "gomodules", "golang.org/x/net/html", "0.17.0", aliases: ["CVE-2024-1000"])
            .Claim("SNYK-JAVA-1", "maven", "log4j-core", "2.14.1", aliases: ["CVE-2024-1001"], purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
            .Claim("SNYK-PYTHON-1", "pip", "pyyaml", "5.3", aliases: ["CVE-2024-1002"]));
        var findings = await Findings(conn);
        Assert.Equal(3, findings.Count);
        Assert.All(findings, f => Assert.Equal(2, f.Scanners.Count));
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Store_StringsWithNulAndControlCharacters_RoundTripExactly(string provider)
    {
        var conn = TestDatabases.New(provider);
        // Grype reports a python binary with version "3\u00006"; descriptions carry control characters and the escape itself.
        const string version = "3\u00006";
        const string description = "line\u0000two\u0007 \uE000 <script>alert(1)</script>";
        await Store(conn, new ReportBuilder(ScannerKind.Grype).Claim("CVE-2024-7777", "binary", "python", version, description: description));
        await Store(conn, new ReportBuilder(ScannerKind.Trivy).Claim("CVE-2024-7777", "binary", "python", version));

        var f = Assert.Single(await Findings(conn));
        Assert.Equal(version, f.Package.Version);
        Assert.Equal(2, f.Scanners.Count);
        await using var db = TriageDatabase.CreateContext(conn);
        Assert.Equal(description, (await db.Vulnerabilities.SingleAsync(v => v.VulnId == "CVE-2024-7777")).Description);
    }

    [Fact]
    public void Model_HasNoChangesWithoutAMigration_OnSqlite()
    {
        using var db = TriageDatabase.CreateContext(TestDatabases.NewSqlite());
        Assert.False(db.Database.HasPendingModelChanges(), "The SQLite model changed without a migration: add one (see docs/decisions).");
    }

    [Fact]
    public void Model_HasNoChangesWithoutAMigration_OnPostgres()
    {
        using var db = TriageDatabase.CreateContext("Host=localhost;Database=unused");
        Assert.False(db.Database.HasPendingModelChanges(), "The PostgreSQL model changed without a migration: add one (see docs/decisions).");
    }
}
