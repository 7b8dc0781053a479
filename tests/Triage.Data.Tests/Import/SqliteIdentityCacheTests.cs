using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>
/// The identity cache of a SQLite import connection (ADR 101) must never let an import act on rows that are not there or
/// not as it remembers them: it empties itself when anyone else wrote to the file, when a report rolled back to its
/// savepoint, and a run of real reports stores exactly what it stores without it.
/// </summary>
public class SqliteIdentityCacheTests
{
    /// <summary>A transaction's view of the cache: its entry for package key "k".</summary>
    private static async Task<(SqliteIdentityCache Cache, bool Known)> Open(string conn, Func<ImportStore, Task>? write = null, bool commit = true)
    {
        await using var store = await ImportStore.BeginAsync(conn, CancellationToken.None);
        var cache = store.UseIdentityCache()!;
        var known = cache.TryGetPackage("k", out _, out _);
        cache.SetPackage("k", 1, noSource: false);
        if (write is not null) await write(store);
        if (commit) await store.CommitAsync(CancellationToken.None);
        return (cache, known);
    }

    private static Task Rename(ImportStore store, string canonical) =>
        store.ExecuteAsync("UPDATE \"AliasGroups\" SET \"CanonicalId\" = @p0 WHERE \"Id\" = 1", CancellationToken.None, canonical);

    /// <summary>Renames the alias group on a connection of its own (<paramref name="check"/> sees it open).</summary>
    private static async Task RenameThrough(string connectionString, string canonical, Action<SqliteConnection> check)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        check(connection);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"UPDATE \"AliasGroups\" SET \"CanonicalId\" = '{canonical}'";
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task TheCacheOfAConnection_OutlivesItsOwnCommits_AndEmptiesWhenAnythingElseWroteToTheFile()
    {
        var conn = TestDatabases.NewSqlite();
        await TriageDatabase.MigrateAsync(conn);
        await using (var db = TriageDatabase.CreateContext(conn))
            await db.Database.ExecuteSqlRawAsync("INSERT INTO \"AliasGroups\" (\"Id\", \"CanonicalId\") VALUES (1, 'CVE-2024-0001')");

        var (cache, known) = await Open(conn, s => Rename(s, "CVE-2024-0002"));
        Assert.False(known);
        // One connection at a time: the pool hands the same SQLite handle, and with it the same cache, back each time.
        var next = await Open(conn);
        Assert.Same(cache, next.Cache);
        Assert.True(next.Known, "an import's own commit keeps the cache");

        // Another connection commits.
        await RenameThrough(conn + ";Pooling=False", "CVE-2024-0003", _ => { });
        next = await Open(conn);
        Assert.Same(cache, next.Cache);
        Assert.False(next.Known, "another connection's commit empties the cache");

        // Someone else writes through the very handle the imports use (EF Core takes pooled handles too).
        await RenameThrough(TriageDatabase.Normalize(conn), "CVE-2024-0004", c => Assert.Same(cache, SqliteIdentityCache.For(c.Handle!)));
        next = await Open(conn);
        Assert.Same(cache, next.Cache);
        Assert.False(next.Known, "a write through the same handle empties the cache");

        // A transaction that wrote and rolled back (the connection failed, the import threw): what it learnt is not kept.
        next = await Open(conn, s => Rename(s, "CVE-2024-0005"), commit: false);
        Assert.True(next.Known);
        next = await Open(conn);
        Assert.Same(cache, next.Cache);
        Assert.False(next.Known, "a transaction that did not commit leaves nothing");
        Assert.True((await Open(conn)).Known);
    }

    private static readonly string Small = File.ReadAllText(TestPaths.Local("Triage.Cli.Tests", "small-trivy.json"));

    /// <summary>The small Trivy fixture for image <paramref name="n"/>, its zlib finding renamed to a vulnerability and package
    /// no other report has.</summary>
    private static byte[] ReportFor(int n, string cve, string package) => System.Text.Encoding.UTF8.GetBytes(Small
        .Replace("registry.example/team/api", $"registry.example/team/api{n}")
        .Replace(new string('1', 64), n.ToString("x64", System.Globalization.CultureInfo.InvariantCulture))
        .Replace("CVE-2023-45853", cve).Replace("zlib1g", package));

    [Fact]
    public async Task AReportRolledBackToItsSavepoint_LeavesNothingBehindInTheCache()
    {
        var conn = TestDatabases.NewSqlite();
        static ReportSource Source(string name, byte[] bytes) => new(name, () => new MemoryStream(bytes, writable: false), bytes.Length);
        var sources = new[]
        {
            Source("a.json", ReportFor(0, "CVE-2023-45853", "zlib1g")),
            // b brings a new vulnerability and a new package, then fails after writing them.
            Source("b.json", ReportFor(1, "CVE-2031-0001", "zlib9")),
            Source("c.json", ReportFor(2, "CVE-2031-0001", "zlib9")),
        };
        var calls = 0;
        var options = new ImportOptions { BeforeCommit = _ => Interlocked.Increment(ref calls) == 2 ? throw new ArgumentException("b cannot be stored") : Task.CompletedTask };
        var errors = new List<Exception?>();
        await new ReportImporter(conn).ImportManyAsync(sources, options, (_, _, e) =>
        {
            errors.Add(e);
            return Task.CompletedTask;
        }, groupWindow: TimeSpan.FromMinutes(5));

        Assert.Null(errors[0]);
        Assert.IsType<ArgumentException>(errors[1]);
        Assert.Null(errors[2]);
        await using var db = TriageDatabase.CreateContext(conn);
        // c wrote the records b had written and lost, instead of pointing at them.
        var finding = await db.Findings.SingleAsync(f => f.PackageName == "zlib9");
        var vulnerability = await db.Vulnerabilities.SingleAsync(v => v.VulnId == "CVE-2031-0001");
        Assert.Equal(vulnerability.GroupId, finding.GroupId);
        Assert.True(await db.AliasGroups.AnyAsync(g => g.Id == finding.GroupId));
        Assert.Equal("zlib9", (await db.Packages.SingleAsync(p => p.Id == finding.PackageId)).Name);
        Assert.Equal(1, await db.Packages.CountAsync(p => p.Name == "zlib9"));
    }

    /// <summary>A Trivy report of one Go binary in image <paramref name="image"/>: (vulnerability id, Trivy's VendorIDs, module).</summary>
    private static byte[] GoReport(string image, params (string Id, string[] VendorIds, string Module)[] findings)
    {
        var vulnerabilities = findings.Select(f => new Dictionary<string, object>
        {
            ["VulnerabilityID"] = f.Id, ["VendorIDs"] = f.VendorIds, ["PkgName"] = f.Module, ["InstalledVersion"] = "v0.1.0", ["Severity"] = "HIGH",
        });
        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["SchemaVersion"] = 2,
            ["ArtifactName"] = image,
            ["ArtifactType"] = "container_image",
            ["Results"] = new[] { new Dictionary<string, object> { ["Target"] = "app", ["Class"] = "lang-pkgs", ["Type"] = "gobinary", ["Vulnerabilities"] = vulnerabilities } },
        });
    }

    /// <param name="large">The merging report is one too large for the cache (it is stored without it, and empties it).</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnImportThatMergesAliasGroups_LeavesNoRecordOfTheAbsorbedGroupInTheCache(bool large)
    {
        var filler = large
            ? Enumerable.Range(0, SqliteIdentityCache.MaxReportRecords).Select(i => ($"CVE-2030-{10000 + i}", Array.Empty<string>(), "golang.org/x/tools")).ToArray()
            : [];
        var conn = TestDatabases.NewSqlite();
        static ReportSource Source(string name, byte[] bytes) => new(name, () => new MemoryStream(bytes, writable: false), bytes.Length);
        var sources = new[]
        {
            // Two groups, each with a Go id: the GHSA's and the CVE's.
            Source("a.json", GoReport("registry.example/a:1", ("GHSA-aaaa-bbbb-cccc", ["GO-2024-0001"], "golang.org/x/net"),
                ("CVE-2024-0009", ["GO-2024-0002"], "golang.org/x/text"))),
            // The CVE names the GHSA as an alias: one group absorbs the other, with a Go id that is not in this report.
            Source("b.json", GoReport("registry.example/b:1", [("CVE-2024-0009", ["GHSA-aaaa-bbbb-cccc"], "golang.org/x/text"), .. filler])),
            // New GHSAs naming the Go ids as aliases (records the import does not read back): they join the surviving group.
            Source("c.json", GoReport("registry.example/c:1", ("GHSA-xxxx-xxxx-xxxx", ["GO-2024-0001"], "golang.org/x/crypto"),
                ("GHSA-yyyy-yyyy-yyyy", ["GO-2024-0002"], "golang.org/x/sys"))),
        };
        await new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), (s, _, e) =>
        {
            Assert.Null(e);
            return Task.CompletedTask;
        }, groupWindow: TimeSpan.FromMinutes(5));

        await using var db = TriageDatabase.CreateContext(conn);
        var group = await db.AliasGroups.SingleAsync(g => g.CanonicalId == "CVE-2024-0009");
        Assert.Equal(1 + filler.Length, await db.AliasGroups.CountAsync());
        Assert.All(await db.Vulnerabilities.Where(v => !v.VulnId.StartsWith("CVE-2030-")).ToListAsync(), v => Assert.Equal(group.Id, v.GroupId));
        Assert.All(await db.Findings.Where(f => !f.VulnerabilityId.StartsWith("CVE-2030-")).ToListAsync(), f => Assert.Equal(group.Id, f.GroupId));
        Assert.Equal(5 + filler.Length, await db.Findings.CountAsync());
    }

    /// <summary>Every real report of the matched sets (three scanners over the same images) in one run, with the cache (one
    /// group transaction, in which each report finds what the earlier ones learnt) and without it (each report alone on a
    /// new connection): the identity rows, the assertions and the findings are the same.</summary>
    [FixtureFact]
    public async Task RealReports_StoreTheSameRows_WithAndWithoutTheCache()
    {
        var files = Directory.GetDirectories(TestPaths.Fixture("matched")).Order(StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*.json").Where(f => !f.Contains("sarif", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            .ToList();
        Assert.True(files.Count >= 6, $"{files.Count} matched reports");
        // Each report twice: the second time as a rescan (the same JSON plus a newline, so not a duplicate), which finds every
        // record in the cache.
        var sources = new[] { "", "\n" }.SelectMany(tail => files.Select(f => new ReportSource(Path.GetFileName(f) + (tail.Length > 0 ? " (rescan)" : ""),
            () => new MemoryStream([.. File.ReadAllBytes(f), .. System.Text.Encoding.UTF8.GetBytes(tail)], writable: false)))).ToList();

        async Task<List<string>> Run(string conn, TimeSpan window)
        {
            await new ReportImporter(conn).ImportManyAsync(sources, new ImportOptions(), (s, _, e) =>
            {
                Assert.Null(e);
                return Task.CompletedTask;
            }, groupWindow: window);
            await using var db = TriageDatabase.CreateContext(conn);
            var canonical = await db.AliasGroups.ToDictionaryAsync(g => g.Id, g => g.CanonicalId);
            var packages = await db.Packages.ToDictionaryAsync(p => p.Id, p => $"{p.Key} src={p.SourceName}/{p.SourceVersion}");
            var rows = new List<string>();
            rows.AddRange((await db.Vulnerabilities.ToListAsync()).Select(v =>
                $"V {v.VulnId} {canonical[v.GroupId]} {v.Title} {v.Description} {v.CvssJson} {v.SeverityBySourceJson} {string.Join(",", v.References)} {string.Join(",", v.Cwes)}"));
            rows.AddRange(packages.Values.Select(p => "P " + p));
            rows.AddRange((await db.AliasAssertions.ToListAsync()).Select(a => $"A {a.FromId} {a.ToId} {a.Relation} {a.Source} {a.Applied}"));
            rows.AddRange((await db.Findings.ToListAsync()).Select(f =>
                $"F {f.ArtifactId} {packages[f.PackageId]} {canonical[f.GroupId]} {f.Severity} {f.ScannerMask} {f.Active} {string.Join(",", f.FixedVersions)}"));
            rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        var withCache = await Run(TestDatabases.NewSqlite(), TimeSpan.FromMinutes(5));
        var without = await Run(TestDatabases.NewSqlite() + ";Pooling=False", TimeSpan.Zero);
        Assert.True(withCache.Count > 1000, $"{withCache.Count} rows");
        Assert.Equal(without, withCache);
    }
}
