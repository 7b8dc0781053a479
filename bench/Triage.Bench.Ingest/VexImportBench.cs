using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Triage.Data;
using Triage.Data.Import;
using Triage.Data.Vex;

namespace Triage.Bench.Ingest;

/// <summary>
/// Issue 5, VEX documents at scale: one <see cref="VexImportService.ImportAsync"/> of an OpenVEX document of N statements
/// by one vendor, then the same bytes again (a re-import records nothing new but matches and recomputes again). The
/// inventory is three images seeded through the bulk importer (two digests of registry.example/bench/app, one of
/// registry.example/bench/other), N claims each. Statements cycle through the four statuses (not_affected with a
/// justification, affected with an action statement, fixed, under_investigation) and through product forms: an image
/// digest purl with the package as subcomponent (digest scope), a repository purl with a subcomponent (repository scope),
/// a bare package purl (global scope), and one in ten that match nothing (unknown digest, unknown vulnerability, package
/// not in any image). Prints one line per round ("vex-import TARGET N first/again ms, cpu ms") and a median per size.
/// Phase laps: TRIAGE_IMPORT_TIMINGS=1.
/// </summary>
internal static class VexImportBench
{
    private const string App = "registry.example/bench/app";
    private const string Other = "registry.example/bench/other";
    private static readonly string D1 = "sha256:" + new string('1', 64);
    private static readonly string D2 = "sha256:" + new string('2', 64);
    private static readonly string D3 = "sha256:" + new string('3', 64);

    public static async Task<int> RunAsync(string work, string? postgres, IReadOnlyList<int> sizes, int rounds, bool sqliteOnly, bool postgresOnly)
    {
        Console.WriteLine("| target | statements | decisions | import (median) | import CPU (median) | re-import (median) | re-import CPU (median) | rounds (import ms) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        var targets = new List<string>();
        if (!postgresOnly) targets.Add("SQLite");
        if (postgres is not null && !sqliteOnly) targets.Add("PostgreSQL");
        foreach (var target in targets)
        {
            foreach (var n in sizes)
            {
                var first = new List<double>();
                var firstCpu = new List<double>();
                var again = new List<double>();
                var againCpu = new List<double>();
                var decisions = 0;
                for (var round = 0; round < rounds; round++)
                {
                    var conn = target == "SQLite" ? FreshSqlite(work, n, round) : await IngestBench.FreshPostgres(postgres!, round, migrate: true);
                    try
                    {
                        var r = await OneAsync(conn, n);
                        first.Add(r.First);
                        firstCpu.Add(r.FirstCpu);
                        again.Add(r.Again);
                        againCpu.Add(r.AgainCpu);
                        decisions = r.Decisions;
                        Console.Error.WriteLine($"vex-import {target} {n} first {r.First:F0} ms (cpu {r.FirstCpu:F0} ms), again {r.Again:F0} ms (cpu {r.AgainCpu:F0} ms), {r.Decisions} decisions");
                    }
                    finally
                    {
                        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                        if (target == "PostgreSQL") await DecisionBench.DropPostgres(postgres!, conn);
                    }
                }
                Console.WriteLine($"| {target} | {n:N0} | {decisions:N0} | {IngestBench.Median(first):F0} ms | {IngestBench.Median(firstCpu):F0} ms | " +
                                  $"{IngestBench.Median(again):F0} ms | {IngestBench.Median(againCpu):F0} ms | {string.Join(", ", first.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))} |");
            }
        }
        return 0;
    }

    private static async Task<(double First, double FirstCpu, double Again, double AgainCpu, int Decisions)> OneAsync(string conn, int n)
    {
        await TriageDatabase.MigrateAsync(conn);
        var claims = ReportGenerator.Claims(n, Math.Max(1, n / 10), seed: 9);
        var importer = new ReportImporter(conn);
        foreach (var (image, digest) in new[] { ($"{App}:1", D1), ($"{App}:2", D2), ($"{Other}:1", D3) })
        {
            using var ms = new MemoryStream(ReportGenerator.Trivy(image, digest, claims), writable: false);
            await importer.ImportAsync(ms, $"{digest[7..15]}.json", new ImportOptions());
        }
        var document = OpenVex(claims, n);
        var service = new VexImportService(conn);

        var (first, firstCpu, report) = await TimedAsync(() => service.ImportAsync(new MemoryStream(document, writable: false), "vendor.openvex.json"));
        if (report.AlreadyImported || report.DecisionsRecorded == 0 || report.Unmatched.Count == 0)
            throw new InvalidOperationException($"unexpected first import: {report.DecisionsRecorded} decisions, {report.Unmatched.Count} unmatched");
        var (again, againCpu, second) = await TimedAsync(() => service.ImportAsync(new MemoryStream(document, writable: false), "vendor.openvex.json"));
        if (!second.AlreadyImported || second.DecisionsRecorded != 0 || second.Matched != report.Matched)
            throw new InvalidOperationException($"unexpected re-import: {second.DecisionsRecorded} new decisions, {second.Matched} matched");
        return (first, firstCpu, again, againCpu, report.DecisionsRecorded);
    }

    private static async Task<(double Ms, double CpuMs, T Result)> TimedAsync<T>(Func<Task<T>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = await run();
        var ms = sw.Elapsed.TotalMilliseconds;
        return (ms, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds, result);
    }

    /// <summary>An OpenVEX document of <paramref name="n"/> statements about the seeded claims (see the type summary).</summary>
    internal static byte[] OpenVex(IReadOnlyList<ReportGenerator.Claim> claims, int n)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("@context", "https://openvex.dev/ns/v0.2.0");
            w.WriteString("@id", $"https://vendor.example/vex/bench-{n}");
            w.WriteString("author", "vendor@example.com");
            w.WriteString("timestamp", "2026-11-01T10:00:00Z");
            w.WriteNumber("version", 1);
            w.WriteStartArray("statements");
            for (var i = 0; i < n; i++)
            {
                var c = claims[i % claims.Count];
                var package = $"pkg:deb/debian/{c.Package}@{c.Version}";
                var vuln = c.Cve;
                string product;
                string? sub = null;
                switch (i % 10)
                {
                    case 0 or 1 or 2 or 3:
                        product = Oci(App, i % 2 == 0 ? D1 : D2);
                        sub = package;
                        break;
                    case 4 or 5:
                        product = Oci(Other, D3);
                        sub = package;
                        break;
                    case 6:
                        product = $"pkg:oci/app?repository_url={App}";
                        sub = package;
                        break;
                    case 7 or 8:
                        product = $"pkg:deb/debian/{c.Package}";
                        break;
                    default:
                        // Matches nothing: a digest no image has, a vulnerability no image has, a package in no image.
                        (product, sub, vuln) = (i / 10 % 3) switch
                        {
                            0 => (Oci(App, "sha256:" + i.ToString("x64", CultureInfo.InvariantCulture)), package, vuln),
                            1 => (Oci(App, D1), package, $"CVE-2099-{10000 + i}"),
                            _ => ($"pkg:deb/debian/nosuchlib{i}", null, vuln),
                        };
                        break;
                }
                w.WriteStartObject();
                w.WriteStartObject("vulnerability");
                w.WriteString("name", vuln);
                w.WriteEndObject();
                w.WriteStartArray("products");
                w.WriteStartObject();
                w.WriteString("@id", product);
                if (sub is not null)
                {
                    w.WriteStartArray("subcomponents");
                    w.WriteStartObject();
                    w.WriteString("@id", sub);
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                w.WriteEndObject();
                w.WriteEndArray();
                switch (i % 4)
                {
                    case 0:
                        w.WriteString("status", "not_affected");
                        w.WriteString("justification", i % 8 == 0 ? "vulnerable_code_not_in_execute_path" : "vulnerable_code_not_present");
                        w.WriteString("impact_statement", $"The vulnerable function of {c.Package} is never called.");
                        break;
                    case 1:
                        w.WriteString("status", "affected");
                        w.WriteString("action_statement", $"Upgrade {c.Package} to {c.Fixed ?? c.Version + ".1"}.");
                        break;
                    case 2:
                        w.WriteString("status", "fixed");
                        break;
                    default:
                        w.WriteString("status", "under_investigation");
                        break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string Oci(string repository, string digest) =>
        $"pkg:oci/{repository[(repository.LastIndexOf('/') + 1)..]}@{digest.Replace(":", "%3A", StringComparison.Ordinal)}?repository_url={repository}";

    private static string FreshSqlite(string work, int n, int round)
    {
        var db = Path.Combine(work, $"veximport-{n}-{round}.db");
        foreach (var s in new[] { "", "-wal", "-shm" }) File.Delete(db + s);
        return $"Data Source={db}";
    }
}
