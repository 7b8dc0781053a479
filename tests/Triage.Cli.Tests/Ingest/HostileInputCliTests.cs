using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Triage.Cli.Tests.Support;
using Triage.Data;
using Triage.Testing;
using Xunit.Abstractions;

namespace Triage.Cli.Tests.Ingest;

/// <summary>
/// The hostile corpus (<see cref="HostileReports"/>) through `triage ingest --json`, for a bounded time: each file a valid
/// import or exit 1 with a "FILE: problem" error and a code, never a crash (exit code other than 0/1, an exception on
/// stderr), and a refused file leaves every table as it was.
/// </summary>
public class HostileInputCliTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);
    private const int MinCases = 24;

    private static async Task<string> CountsAsync(string db)
    {
        await using var ctx = TriageDatabase.CreateContext(db);
        return string.Join(' ', await ctx.Scans.CountAsync(), await ctx.RawReports.CountAsync(), await ctx.Findings.CountAsync(),
            await ctx.Observations.CountAsync(), await ctx.Packages.CountAsync(), await ctx.Vulnerabilities.CountAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Corpus_ThroughIngest_CleanErrorOrValidImport_NoPartialData(string provider)
    {
        var db = TestDatabases.New(provider);
        await TriageDatabase.EnsureMigratedAsync(db);
        var dir = Path.Combine(Path.GetTempPath(), "triage-hostile", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var clock = Stopwatch.StartNew();
        int refused = 0, imported = 0;
        var before = await CountsAsync(db);
        try
        {
            foreach (var c in HostileReports.Generate(seed: provider.Length))
            {
                // At least the first round of every kind of damage, then random mutations while the budget lasts.
                if (refused + imported >= MinCases && clock.Elapsed > Budget) break;
                var path = Path.Combine(dir, c.Name + ".json");
                await File.WriteAllBytesAsync(path, c.Bytes);
                var r = await TriageCli.Run("ingest", "--db", db, "--json", path);
                File.Delete(path);
                Assert.True(r.Exit is 0 or 1, $"{c}: {Head(r.ToString())}");
                Assert.DoesNotContain("   at ", r.Err); // no stack trace: a crash, not a clean error
                using var doc = JsonDocument.Parse(r.Out);
                if (r.Exit == 0)
                {
                    imported++;
                    before = await CountsAsync(db);
                    continue;
                }
                refused++;
                var failed = doc.RootElement.GetProperty("failed")[0];
                var error = failed.GetProperty("error").GetString()!;
                Assert.True(error.Contains(c.Name + ".json: ", StringComparison.Ordinal), $"{c}: the error does not name the file: {Head(error)}");
                Assert.False(string.IsNullOrEmpty(failed.GetProperty("code").GetString()), $"{c}: no code");
                var after = await CountsAsync(db);
                Assert.True(before == after, $"{c}: refused but tables changed: {before} → {after}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        output.WriteLine($"{provider}: {refused + imported} cases in {clock.Elapsed.TotalSeconds:F1} s: {refused} refused, {imported} imported");
        Assert.True(refused >= 12, $"only {refused} cases were refused");
    }

    [Fact]
    public async Task GzipAndZipBombs_AreRefusedAsNotJson()
    {
        var db = TestDatabases.NewSqlite();
        var dir = Path.Combine(Path.GetTempPath(), "triage-hostile", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var bomb in HostileReports.Bombs())
        {
            var path = Path.Combine(dir, bomb.Name + ".json.gz");
            await File.WriteAllBytesAsync(path, bomb.Bytes);
            var r = await TriageCli.Run("ingest", "--db", db, "--json", path);
            Assert.True(r.Exit == 1, $"{bomb}: {r}");
            using var doc = JsonDocument.Parse(r.Out);
            Assert.Equal("invalid_json", doc.RootElement.GetProperty("failed")[0].GetProperty("code").GetString());
        }
        Directory.Delete(dir, recursive: true);
    }

    /// <summary>`triage enrich` on gzip EPSS files that inflate without end: valid rows past the default limit on the inflated
    /// size (128 MiB), and one line past 64 KiB. Each refused as too_large naming the limit; nothing stored.</summary>
    [Fact]
    public async Task Enrich_EpssGzipBombs_RefusedAtTheDefaultLimits_NothingStored()
    {
        var db = TestDatabases.NewSqlite();
        await TriageDatabase.EnsureMigratedAsync(db);
        var dir = Path.Combine(Path.GetTempPath(), "triage-hostile", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            foreach (var (bomb, limit) in new[]
                     {
                         (HostileReports.EpssRowsBomb(Triage.Core.Enrichment.EpssReadOptions.DefaultMaxDecompressedBytes + (16L << 20)), "128 MiB"),
                         (HostileReports.EpssLineBomb(1L << 20), "64 KiB"),
                     })
            {
                var path = Path.Combine(dir, bomb.Name + ".csv.gz");
                await File.WriteAllBytesAsync(path, bomb.Bytes);
                var clock = Stopwatch.StartNew();
                var r = await TriageCli.Run("enrich", "--db", db, "--json", path);
                output.WriteLine($"{bomb}: exit {r.Exit} in {clock.ElapsedMilliseconds} ms");
                Assert.True(r.Exit == 1, $"{bomb}: {Head(r.ToString())}");
                Assert.DoesNotContain("   at ", r.Err);
                using var doc = JsonDocument.Parse(r.Out);
                var failed = doc.RootElement.GetProperty("failed")[0];
                Assert.Equal("too_large", failed.GetProperty("code").GetString());
                Assert.StartsWith(path + ": ", failed.GetProperty("error").GetString());
                Assert.Contains("limit of " + limit, failed.GetProperty("error").GetString());
            }
            await using var ctx = TriageDatabase.CreateContext(db);
            Assert.Equal((0, 0), (await ctx.EnrichmentImports.CountAsync(), await ctx.EpssEntries.CountAsync()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Found by the corpus: an image id without a repo digest made the artifact lookup send an untyped null
    /// parameter, which PostgreSQL refuses (42P18).</summary>
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Ingest_ImageIdWithoutRepoDigest_Imports(string provider)
    {
        var db = TestDatabases.New(provider);
        var dir = Path.Combine(Path.GetTempPath(), "triage-hostile", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "image-id-only.json");
        await File.WriteAllTextAsync(path, """
            {"SchemaVersion":2,"ArtifactName":"registry.example/x/y:1","ArtifactType":"container_image",
             "Metadata":{"ImageID":"sha256:2222222222222222222222222222222222222222222222222222222222222222"},
             "Results":[{"Target":"t","Class":"os-pkgs","Type":"debian","Vulnerabilities":[{"VulnerabilityID":"CVE-2024-1","PkgName":"p","InstalledVersion":"1","Severity":"LOW"}]}]}
            """);
        for (var i = 0; i < 2; i++)
        {
            if (i == 1) await File.AppendAllTextAsync(path, "\n"); // other bytes: the second import looks the artifact up by its image id
            var r = await TriageCli.Run("ingest", "--db", db, path);
            Assert.True(r.Exit == 0, r.ToString());
        }
        Directory.Delete(dir, recursive: true);
    }

    private static string Head(string s) => s.Length > 400 ? s[..400] + "…" : s;
}
