using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Metrics;
using Triage.Data.Metrics;
using Triage.Testing;
using Triage.Testing.Metrics;

namespace Triage.Data.Tests.Metrics;

/// <summary>
/// A real lineage from the shared fixtures: nginx:latest on Debian 13 (Trivy 0.69.3, full package list) replaced by a
/// distroless image (Trivy's distroless-base golden, Debian 9, only vulnerable packages listed). The attribution is checked
/// against an oracle that reads the two report files directly, and must add up exactly.
/// </summary>
public sealed class LineageFixtureTests
{
    private const string Debian = "docker.io/library/nginx";
    private const string Distroless = "registry.example/web/nginx-distroless";
    private static readonly DateTime DebianAt = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);     // W10
    private static readonly DateTime DistrolessAt = new(2026, 3, 11, 15, 0, 0, DateTimeKind.Utc); // W11

    private static string DebianReport => TestPaths.Fixture("matched", "nginx-latest-debian13", "trivy.json");
    private static string DistrolessReport => TestPaths.Fixture("scanners", "trivy", "trivy-golden_distroless-base.json");

    private static async Task<string> SeedAsync(string provider)
    {
        var cs = TestDatabases.New(provider);
        var history = new HistoryWriter(cs);
        await history.ImportFileAsync(DebianAt, DebianReport);
        // Named with a repository digest, as a pushed image has one. (Without one, a report that gives only an image id fails
        // to import on PostgreSQL: the importer's "ImageId = @p1 AND (Digest IS NULL OR @p2 IS NULL)" leaves @p2 untyped.)
        await history.ImportFileAsync(DistrolessAt, DistrolessReport, $"{Distroless}@{HistoryWriter.Digest("nginx-distroless")}");
        await using var db = TriageDatabase.CreateContext(cs);
        await LineageService.ReplaceAsync(db, Debian, Distroless);
        return cs;
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task DebianToDistroless_AttributionMatchesTheReports_AndAddsUpExactly(string provider)
    {
        var cs = await SeedAsync(provider);
        await using var db = TriageDatabase.CreateContext(cs);
        var a = await CompareQueries.ResolveImageAsync(db, "nginx:latest");
        var b = await CompareQueries.ResolveImageAsync(db, Distroless);
        var comparison = await CompareQueries.ImagesAsync(db, a!.Value, b!.Value, DistrolessAt.AddDays(1), decisions: null);

        var oracle = Oracle.Compare(Oracle.Read(DebianReport), Oracle.Read(DistrolessReport));
        var c = comparison.Counts;
        Assert.Equal(169, c.Before);
        Assert.Equal(4, c.After);
        Assert.Equal(oracle.Before, c.Before);
        Assert.Equal(oracle.After, c.After);
        Assert.Equal(oracle.Removed, c.RemovedWithPackage);
        Assert.Equal(oracle.Fixed, c.FixedByUpgrade);
        Assert.Equal(oracle.Disclosed - oracle.Withdrawn, c.NewlyDisclosed);
        Assert.Equal(oracle.Introduced, c.IntroducedByPackage);
        Assert.Equal(0, c.SuppressedByDecision);
        Assert.True(c.AddsUp);
        Assert.Equal(c.After, c.Before - c.RemovedWithPackage - c.FixedByUpgrade - c.SuppressedByDecision + c.NewlyDisclosed + c.IntroducedByPackage);
        // The openssl CVEs of Debian 13 are "fixed" in the sense the issue asks: openssl is still there, at another version.
        Assert.Contains(comparison.Attribution.Changes, x => x.Kind == ChangeKind.FixedByUpgrade && x.Finding.Package.Name == "openssl");
        Assert.Contains(comparison.Attribution.Changes, x => x.Kind == ChangeKind.IntroducedByPackage && x.Finding.Package.Name == "libssl1.1" && x.OtherVersions.Count == 0);

        // Triage's inventory is the packages scanners tie findings to: Trivy's --list-all-pkgs list (151 packages) only enriches them.
        Assert.Equal((51, 2), (comparison.Before.Packages, comparison.After.Packages));
        Assert.Equal((164_543_488L, 18_503_680L), (comparison.Before.SizeBytes!.Value, comparison.After.SizeBytes!.Value));
        Assert.Equal("debian 13.4", comparison.Before.Images[0].Os);
        Assert.Equal("debian 9.9", comparison.After.Images[0].Os);
        TestDatabases.ClearPools();
    }

    [FixtureTheory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task TheSwitchWeek_ShowsTheSameAttributionForTheLineage_AndTheRepositoriesStillAddUp(string provider)
    {
        var cs = await SeedAsync(provider);
        var now = new DateTime(2026, 3, 18, 12, 0, 0, DateTimeKind.Utc); // W12
        var run = await new MetricsSnapshotter(cs, SlaPolicy.Default, new FixedClock(now)).RunAsync();
        Assert.Null(run.Skipped);
        Assert.Equal(new IsoWeek(2026, 10), run.From);

        await using var db = TriageDatabase.CreateContext(cs);
        var rows = await db.WeeklySnapshots.AsNoTracking().ToListAsync();
        Assert.All(rows, r => Assert.True(r.WeekChange.AddsUp, $"{r.Scope} {r.ScopeName} {r.IsoWeek}"));
        var all11 = rows.Single(r => r.Scope == SnapshotScope.All && r.Week == 11);
        var oracle = Oracle.Compare(Oracle.Read(DebianReport), Oracle.Read(DistrolessReport));
        Assert.Equal((169, 4), (all11.OpenAtStart, all11.OpenTotal));
        Assert.Equal((oracle.Removed, oracle.Fixed, oracle.Introduced), (all11.RemovedWithPackage, all11.FixedByUpgrade, all11.IntroducedByPackage));
        Assert.Equal((1, 18_503_680L, 2), (all11.Images, all11.SizeBytes!.Value, all11.Packages));
        Assert.Equal((1, 164_543_488L, 51), (rows.Single(r => r.Scope == SnapshotScope.All && r.Week == 10).Images,
            rows.Single(r => r.Scope == SnapshotScope.All && r.Week == 10).SizeBytes!.Value, rows.Single(r => r.Scope == SnapshotScope.All && r.Week == 10).Packages));

        // Per repository, the switch is the debian image leaving and the distroless image arriving.
        var debian11 = rows.Single(r => r.Scope == SnapshotScope.Repository && r.ScopeName == Debian && r.Week == 11);
        var slim11 = rows.Single(r => r.Scope == SnapshotScope.Repository && r.ScopeName == Distroless && r.Week == 11);
        Assert.Equal((169, 0, 169), (debian11.OpenAtStart, debian11.OpenTotal, debian11.RemovedWithPackage));
        Assert.Equal((0, 4, 4), (slim11.OpenAtStart, slim11.OpenTotal, slim11.IntroducedByPackage));
        // Problems gone with the switch are remediated in 9.25 days (2026-03-02 09:00 → 2026-03-11 15:00).
        Assert.Equal(9.25, debian11.MttrDays(Severity.High)!.Value, 6);
        // No problem (vulnerability on a package name) is common to both images: all 169 are remediated, 4 are open now.
        Assert.Equal(169, Enum.GetValues<Severity>().Sum(debian11.Remediated));
        Assert.Equal(9.25, debian11.MttrDays(Severity.Low)!.Value, 6);
        Assert.Equal(4, await db.MetricsProblems.CountAsync());
        TestDatabases.ClearPools();
    }

    /// <summary>Reads a Trivy report without Triage's parser: (vulnerability, package) → version, and the packages listed.</summary>
    private sealed record Report(Dictionary<(string Vuln, string Package), string> Findings, HashSet<(string Package, string Version)> Packages);

    private sealed record Expected(int Before, int After, int Removed, int Fixed, int Withdrawn, int Disclosed, int Introduced);

    private static class Oracle
    {
        public static Report Read(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var findings = new Dictionary<(string, string), string>();
            var packages = new HashSet<(string, string)>();
            foreach (var result in doc.RootElement.GetProperty("Results").EnumerateArray())
            {
                if (result.TryGetProperty("Vulnerabilities", out var vs) && vs.ValueKind == JsonValueKind.Array)
                    foreach (var v in vs.EnumerateArray())
                    {
                        var key = (v.GetProperty("VulnerabilityID").GetString()!, v.GetProperty("PkgName").GetString()!);
                        var version = v.GetProperty("InstalledVersion").GetString()!;
                        findings[key] = version;
                        packages.Add((key.Item2, version));
                    }
            }
            return new Report(findings, packages);
        }

        /// <summary>One image each side: a finding left because its package is gone, was upgraded away, or (same version
        /// still there) withdrawn; a finding arrived with a new or changed package, or was disclosed on an unchanged one.</summary>
        public static Expected Compare(Report a, Report b)
        {
            int removed = 0, upgraded = 0, withdrawn = 0, disclosed = 0, introduced = 0;
            foreach (var ((vuln, package), version) in a.Findings)
            {
                if (b.Findings.ContainsKey((vuln, package))) continue;
                if (b.Packages.Contains((package, version))) withdrawn++;
                else if (b.Packages.Any(p => p.Package == package)) upgraded++;
                else removed++;
            }
            foreach (var ((vuln, package), version) in b.Findings)
            {
                if (a.Findings.ContainsKey((vuln, package))) continue;
                if (a.Packages.Contains((package, version))) disclosed++;
                else introduced++;
            }
            return new Expected(a.Findings.Count, b.Findings.Count, removed, upgraded, withdrawn, disclosed, introduced);
        }
    }
}
