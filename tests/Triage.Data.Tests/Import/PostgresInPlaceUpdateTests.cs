using Npgsql;
using Triage.Core.Domain;
using Triage.Core.Identity;
using Triage.Data.Import;
using Triage.Testing;

namespace Triage.Data.Tests.Import;

/// <summary>Every scan of an image rewrites LastSeen (and Version, the scanner mask) of all its findings and packages. On
/// PostgreSQL those tables keep half of each page free (fill factor 50, migration UpdatedInPlace), so the new row versions
/// stay on their page as HOT updates instead of moving elsewhere with a new entry in each of the findings' nine indexes.</summary>
public class PostgresInPlaceUpdateTests
{
    private static ReportBuilder Image(ScannerKind scanner, int findings)
    {
        var b = new ReportBuilder(scanner, "registry.example/team/hot:1", "sha256:" + new string('7', 64));
        for (var i = 0; i < findings; i++)
            b.Claim($"CVE-2025-{10000 + i}", "deb", $"lib{i % 40}", "1.0", (Severity)(i % 5), fixedIn: i % 3 == 0 ? ["1.1"] : null);
        return b;
    }

    private static Task Store(string conn, ReportBuilder b) =>
        new ReportImporter(conn).StoreAsync(ImportPlan.Build(b.Build(), null, "r.json"), "r.json", Guid.NewGuid().ToString("N"), [1], 1, new ImportOptions());

    private static async Task<Dictionary<long, (long Page, long LastSeen)>> Rows(string conn, string table, string key)
    {
        await using var c = new NpgsqlConnection(conn);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT {key}, (ctid::text::point)[0]::bigint, \"LastSeen\" FROM \"{table}\"", c);
        var rows = new Dictionary<long, (long, long)>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows[r.GetInt64(0)] = (r.GetInt64(1), r.GetDateTime(2).Ticks);
        return rows;
    }

    [Fact]
    public async Task AnotherScannerAndARescan_UpdateTheImagesFindingsAndPackages_OnTheirOwnPages()
    {
        var conn = TestDatabases.NewPostgres();
        await TriageDatabase.MigrateAsync(conn);
        await using (var c = new NpgsqlConnection(conn))
        {
            await c.OpenAsync();
            foreach (var table in new[] { "Findings", "ArtifactPackages" })
            {
                await using var cmd = new NpgsqlCommand($"SELECT reloptions::text FROM pg_class WHERE relname = '{table}'", c);
                Assert.Equal("{fillfactor=50}", await cmd.ExecuteScalarAsync() as string);
            }
            // The rescan's updates fit on a page only once the first update's old versions are pruned, which no snapshot
            // taken before that update may still see. Autovacuum analysing any new table of this database holds such a
            // snapshot for a moment; when that moment overlapped the rescan (CI, 2026-11-30), the rows moved. Production
            // lives with the odd non-HOT update; this test keeps autovacuum away from its database's tables.
            await using var off = new NpgsqlCommand(
                "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP " +
                "EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t); END LOOP; END $$", c);
            await off.ExecuteNonQueryAsync();
        }
        await Store(conn, Image(ScannerKind.Trivy, 400));
        var findings = await Rows(conn, "Findings", "\"Id\"");
        var packages = await Rows(conn, "ArtifactPackages", "\"PackageId\"");
        Assert.Equal(400, findings.Count);
        Assert.Equal(40, packages.Count);
        // 400 findings at full pages would fill ~8 of them; at half they take about twice as many.
        Assert.True(findings.Values.Select(v => v.Page).Distinct().Count() >= 12, "findings written at the fill factor");

        foreach (var scanner in new[] { ScannerKind.Grype, ScannerKind.Trivy })
        {
            await Task.Delay(5);   // a later LastSeen
            await Store(conn, Image(scanner, 400));
            var after = await Rows(conn, "Findings", "\"Id\"");
            var packagesAfter = await Rows(conn, "ArtifactPackages", "\"PackageId\"");
            Assert.Equal(findings.Keys.Order(), after.Keys.Order());
            Assert.All(after, kv => Assert.True(kv.Value.LastSeen > findings[kv.Key].LastSeen, $"finding {kv.Key} seen again"));
            Assert.All(packagesAfter, kv => Assert.True(kv.Value.LastSeen > packages[kv.Key].LastSeen, $"package {kv.Key} seen again"));
            // Every new version on the page of the one it replaces (HOT), not appended at the end of the table.
            Assert.All(after, kv => Assert.Equal(findings[kv.Key].Page, kv.Value.Page));
            Assert.All(packagesAfter, kv => Assert.Equal(packages[kv.Key].Page, kv.Value.Page));
            (findings, packages) = (after, packagesAfter);
        }
    }
}
