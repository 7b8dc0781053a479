using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Data;
using Triage.Data.Import;
using Triage.Data.Vex;

namespace Triage.Bench.Ingest;

/// <summary>
/// Issue 5, bulk decisions: one <see cref="DecisionService.RecordAsync"/> call deciding N selected findings, as the findings
/// grid's bulk action and POST /api/v1/decisions make it: digest scope, not_affected with a justification, the
/// optimistic-concurrency check (<c>Seen</c>) over every selected finding, the signed-in user as origin, and one of the
/// findings already decided by someone else (so one statement supersedes). The selection is N/2 findings in each of two
/// digests of one repository; a third image with the same vulnerabilities is not selected (it is in the vulnerabilities'
/// alias groups, so planning and the recompute see it). A fresh database per round, seeded through the bulk importer.
/// Prints one line per round ("decisions TARGET N ms") and a median per size, so two builds can be run alternately and
/// compared as a ratio.
/// </summary>
internal static class DecisionBench
{
    public static async Task<int> RunAsync(string work, string? postgres, IReadOnlyList<int> sizes, int rounds)
    {
        Console.WriteLine("| target | selected findings | record (median) | rounds |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var target in postgres is null ? new[] { "SQLite" } : ["SQLite", "PostgreSQL"])
        {
            foreach (var n in sizes)
            {
                var times = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var conn = target == "SQLite" ? FreshSqlite(work, n, round) : await IngestBench.FreshPostgres(postgres!, round, migrate: true);
                    var ms = await OneAsync(conn, n);
                    times.Add(ms);
                    Console.Error.WriteLine($"decisions {target} {n} {ms:F0} ms");
                    // A pooled connection would outlive the file it was opened on.
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    if (target == "PostgreSQL") await DropPostgres(postgres!, conn);
                }
                Console.WriteLine($"| {target} | {n:N0} | {IngestBench.Median(times):F0} ms | {string.Join(", ", times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |");
            }
        }
        return 0;
    }

    private static async Task<double> OneAsync(string conn, int n)
    {
        await TriageDatabase.MigrateAsync(conn);
        var claims = ReportGenerator.Claims(n / 2, Math.Max(1, n / 20), seed: 5);
        var importer = new ReportImporter(conn);
        foreach (var (image, digest) in new[]
        {
            ("registry.example/bench/app:1", "sha256:" + new string('1', 64)),
            ("registry.example/bench/app:2", "sha256:" + new string('2', 64)),
            ("registry.example/bench/other:1", "sha256:" + new string('3', 64)),
        })
        {
            using var ms = new MemoryStream(ReportGenerator.Trivy(image, digest, claims), writable: false);
            await importer.ImportAsync(ms, $"{digest[7..15]}.json", new ImportOptions());
        }

        List<(long Id, string Digest)> selected;
        await using (var db = TriageDatabase.CreateContext(conn))
            selected = await (
                from f in db.Findings.AsNoTracking()
                join a in db.Artifacts.AsNoTracking() on f.ArtifactId equals a.Id
                where a.Digest != "sha256:" + new string('3', 64)
                orderby f.Id
                select new ValueTuple<long, string>(f.Id, a.Digest!)).ToListAsync();
        if (selected.Count != n) throw new InvalidOperationException($"expected {n} selected findings, got {selected.Count}");

        var service = new DecisionService(conn);
        var earlier = await service.RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings([selected[0].Id], DecisionScopeKind.Digest),
            Status = VexStatus.Affected,
            ActionStatement = "upgrade",
            Author = "bob",
        });
        var seen = selected.ToDictionary(f => f.Id, f => f.Id == selected[0].Id ? earlier.Decisions[0].Id : (long?)null);
        var sw = Stopwatch.StartNew();
        var outcome = await service.RecordAsync(new DecisionRequest
        {
            Target = new DecisionTarget.Findings(selected.Select(f => f.Id).ToArray(), DecisionScopeKind.Digest),
            Status = VexStatus.NotAffected,
            Justification = VexJustification.VulnerableCodeNotInExecutePath,
            Author = "alice",
            Seen = seen,
            Origin = new DecisionOriginInfo(null, null, "user-alice"),
        });
        var elapsed = sw.Elapsed.TotalMilliseconds;
        if (outcome.Decisions.Count != n || outcome.Governs != n)
            throw new InvalidOperationException($"expected {n} statements governing {n} findings, got {outcome.Decisions.Count} / {outcome.Governs}");
        return elapsed;
    }

    private static string FreshSqlite(string work, int n, int round)
    {
        var db = Path.Combine(work, $"decisions-{n}-{round}.db");
        foreach (var s in new[] { "", "-wal", "-shm" }) File.Delete(db + s);
        return $"Data Source={db}";
    }

    internal static async Task DropPostgres(string admin, string conn)
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        var name = new Npgsql.NpgsqlConnectionStringBuilder(conn).Database;
        await using var c = new Npgsql.NpgsqlConnection(admin);
        await c.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
