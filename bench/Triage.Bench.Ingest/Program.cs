using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Triage.Bench.Ingest;
using Triage.Data;
using Triage.Data.Import;

// Ingest and dedup benchmarks. Results are printed as Markdown rows for docs/benchmarks.md, with ratios against
// baselines measured in the same run (this machine is noisy; ratios travel, absolute numbers do not).
//
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- ingest --triage out/triage [--postgres CONN] [--rounds 3]
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- dedup [--postgres CONN [--postgres-only]] [--artifacts 1000] [--per 500] [--from 0] [--keep]
//     (--keep continues in the SQLite file of an earlier run, from artifact --from on: per-import figures at a given
//      database size without filling it again)
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- decisions [--postgres CONN] [--findings 500,5000] [--rounds 3]
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- list --triage out/triage --db CONN [--rounds 3]
//     (`triage findings --format json` of a whole database into a file, against `jq length` of that output)
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- rescore --db CONN [--rounds 3] [--slice FINDINGS] [--verdicts]
//     (a full rescore of an existing database, e.g. the file `dedup --keep` leaves, against a plain read of every finding;
//      --verdicts: a full refresh, verdicts then scores, as `triage runtime refresh` runs it)
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- runtime-evidence --db CONN [--artifacts 1000] [--every 2] [--replaced 50] [--package-lists]
//     (synthetic runtime evidence for a `dedup` database, so `rescore --verdicts` has verdicts to judge; run it again
//      with --package-lists to add a package list with files and a profile reading some of them to each image)
//   dotnet run -c Release --project bench/Triage.Bench.Ingest -- vex-import [--postgres CONN] [--statements 1000,5000] [--rounds 3] [--sqlite-only|--postgres-only]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var command = args.FirstOrDefault() ?? "help";
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var work = Arg("--work") ?? Path.Combine(Path.GetTempPath(), "triage-bench");
Directory.CreateDirectory(work);
var postgres = Arg("--postgres") ?? Environment.GetEnvironmentVariable("TRIAGE_BENCH_POSTGRES");

switch (command)
{
    case "ingest":
        return await IngestBench.RunAsync(Arg("--triage") ?? throw new ArgumentException("--triage PATH (a published triage CLI) is required"),
            work, postgres, int.Parse(Arg("--rounds") ?? "3", CultureInfo.InvariantCulture));
    case "dedup":
        return await DedupBench.RunAsync(work, postgres, int.Parse(Arg("--artifacts") ?? "1000", CultureInfo.InvariantCulture),
            int.Parse(Arg("--per") ?? "500", CultureInfo.InvariantCulture), int.Parse(Arg("--from") ?? "0", CultureInfo.InvariantCulture),
            args.Contains("--keep"), args.Contains("--postgres-only"));
    case "list":
        return ListBench.Run(Arg("--triage") ?? throw new ArgumentException("--triage PATH (a published triage CLI) is required"),
            Arg("--db") ?? throw new ArgumentException("--db CONN (a database with findings) is required"), work,
            int.Parse(Arg("--rounds") ?? "3", CultureInfo.InvariantCulture));
    case "decisions":
        return await DecisionBench.RunAsync(work, postgres,
            (Arg("--findings") ?? "500,5000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList(),
            int.Parse(Arg("--rounds") ?? "3", CultureInfo.InvariantCulture));
    case "vex-import":
        return await VexImportBench.RunAsync(work, postgres,
            (Arg("--statements") ?? "1000,5000").Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList(),
            int.Parse(Arg("--rounds") ?? "3", CultureInfo.InvariantCulture), args.Contains("--sqlite-only"), args.Contains("--postgres-only"));
    case "rescore":
        return await RescoreBench.RunAsync(Arg("--db") ?? throw new ArgumentException("--db CONN (a database with findings) is required"),
            int.Parse(Arg("--rounds") ?? "3", CultureInfo.InvariantCulture), Arg("--slice") is { } slice ? int.Parse(slice, CultureInfo.InvariantCulture) : null,
            args.Contains("--verdicts"));
    case "runtime-evidence":
        return await RuntimeEvidenceBench.RunAsync(Arg("--db") ?? throw new ArgumentException("--db CONN (a dedup database) is required"),
            int.Parse(Arg("--artifacts") ?? "1000", CultureInfo.InvariantCulture), int.Parse(Arg("--every") ?? "2", CultureInfo.InvariantCulture),
            int.Parse(Arg("--replaced") ?? "50", CultureInfo.InvariantCulture), args.Contains("--package-lists"));
    default:
        Console.Error.WriteLine("usage: rescore --db CONN [--rounds N] [--slice FINDINGS] [--verdicts] | runtime-evidence --db CONN [--artifacts N] [--every N] [--replaced N] [--package-lists] | ingest --triage PATH [--postgres CONN] [--rounds N] | list --triage PATH --db CONN [--rounds N] | dedup [--postgres CONN [--postgres-only]] [--artifacts N] [--per N] [--from N] [--keep] " +
                                "| decisions [--postgres CONN] [--findings N,N] [--rounds N] " +
                                "| vex-import [--postgres CONN] [--statements N,N] [--rounds N] [--sqlite-only|--postgres-only]");
        return 2;
}

internal static class IngestBench
{
    public static async Task<int> RunAsync(string triage, string work, string? postgres, int rounds)
    {
        var claims = ReportGenerator.Claims(28_000, 2_500, seed: 42);
        var trivy = Path.Combine(work, "bench-trivy.json");
        var grype = Path.Combine(work, "bench-grype.json");
        await File.WriteAllBytesAsync(trivy, ReportGenerator.Trivy("registry.example/bench/app:1.0", "sha256:" + new string('a', 64), claims));
        await File.WriteAllBytesAsync(grype, ReportGenerator.Grype("registry.example/bench/app:1.0", "sha256:" + new string('a', 64), claims));

        Console.WriteLine("| report | size | findings | target | ingest (median) | findings/s | MiB/s | peak RSS | bare parse | jq length | ingest ÷ jq | ingest ÷ bare parse |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, file) in new[] { ("Trivy", trivy), ("Grype", grype) })
        {
            var mib = new FileInfo(file).Length / 1048576.0;
            foreach (var target in postgres is null ? new[] { "SQLite" } : ["SQLite", "PostgreSQL"])
            {
                var ingest = new List<double>();
                var jq = new List<double>();
                var bare = new List<double>();
                long peak = 0;
                for (var i = 0; i < rounds; i++)
                {
                    jq.Add(Run("jq", ["length", file]).Seconds);
                    bare.Add(BareParse(file));
                    // A fresh SQLite file each round (created inside the timed run, as a first import would);
                    // PostgreSQL databases are created and migrated before timing: production imports go to an existing database.
                    var conn = target == "SQLite" ? FreshSqlite(work, i) : await FreshPostgres(postgres!, i, migrate: true);
                    var r = Run("/usr/bin/time", ["-f", "%M", triage, "ingest", "--db", conn, "--json", file]);
                    if (r.ExitCode != 0) throw new InvalidOperationException($"ingest failed: {r.Error}");
                    ingest.Add(r.Seconds);
                    peak = Math.Max(peak, long.Parse(r.Error.Trim().Split('\n')[^1], CultureInfo.InvariantCulture) * 1024);
                }
                var m = Median(ingest);
                Console.WriteLine($"| {name} | {mib:F1} MiB | {claims.Count:N0} | {target} | {m:F2} s | {claims.Count / m:N0} | {mib / m:F0} | {peak / 1048576.0:F0} MB | {Median(bare):F2} s | {Median(jq):F2} s | {m / Median(jq):F2} | {m / Median(bare):F1} |");
            }
        }
        return 0;
    }

    private static string FreshSqlite(string work, int i)
    {
        var db = Path.Combine(work, $"ingest-{i}.db");
        foreach (var s in new[] { "", "-wal", "-shm" }) File.Delete(db + s);
        return $"Data Source={db}";
    }

    internal static async Task<string> FreshPostgres(string admin, int i, bool migrate = false)
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(admin);
        var name = $"bench_{Environment.ProcessId}_{i}_{Guid.NewGuid():N}"[..40];
        await using (var c = new Npgsql.NpgsqlConnection(b.ToString()))
        {
            await c.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
            await cmd.ExecuteNonQueryAsync();
        }
        b.Database = name;
        if (migrate) await TriageDatabase.MigrateAsync(b.ToString());
        return b.ToString();
    }

    /// <summary>Baseline: tokenize the file with Utf8JsonReader over a 64 KiB streaming buffer, keeping nothing.</summary>
    private static double BareParse(string file)
    {
        var sw = Stopwatch.StartNew();
        using var fs = File.OpenRead(file);
        var buffer = new byte[1 << 16];
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 64 });
        int leftover = 0, read;
        long tokens = 0;
        while ((read = fs.Read(buffer, leftover, buffer.Length - leftover)) > 0 || leftover > 0)
        {
            var len = leftover + read;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, len), read == 0, state);
            while (reader.Read()) tokens++;
            state = reader.CurrentState;
            var consumed = (int)reader.BytesConsumed;
            leftover = len - consumed;
            if (leftover == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            Buffer.BlockCopy(buffer, consumed, buffer, 0, leftover);
            if (read == 0) break;
        }
        return sw.Elapsed.TotalSeconds;
    }

    internal static (double Seconds, int ExitCode, string Error, string Output) Run(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        sw.Stop();
        return (sw.Elapsed.TotalSeconds, p.ExitCode, stderr.Result, stdout.Result);
    }

    internal static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

/// <summary>Issue 3 §8: 1,000 artifacts × 500 observations from each of three scanners (1.5 M observations). Each import's
/// time must follow its own size, not the database's: per-import times at the start and the end are compared.</summary>
internal static class DedupBench
{
    public static async Task<int> RunAsync(string work, string? postgres, int artifacts, int per, int from, bool keep, bool postgresOnly = false)
    {
        // A shared pool: images reuse packages and CVEs, as real fleets do, so identity lookups hit existing rows.
        var pool = ReportGenerator.Claims(20_000, 3_000, seed: 7);
        Console.WriteLine("| store | imports | observations | total | generating reports (reading thread, beside the stores) | first 10 % of imports (mean) | last 10 % of imports (mean) | last ÷ first | findings |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var target in postgres is null ? new[] { "SQLite" } : postgresOnly ? ["PostgreSQL"] : ["SQLite", "PostgreSQL"])
        {
            string conn;
            if (target == "SQLite")
            {
                var db = Path.Combine(work, "dedup.db");
                if (!keep) foreach (var s in new[] { "", "-wal", "-shm" }) File.Delete(db + s);
                conn = $"Data Source={db}";
            }
            else conn = await IngestBench.FreshPostgres(postgres!, 99);
            await TriageDatabase.MigrateAsync(conn);
            var importer = new ReportImporter(conn);
            var times = new List<double>();
            var total = Stopwatch.StartNew();
            var rnd = new Random(11 + from);
            // The reports of each image are imported as `triage ingest` imports several files: the next one is read and
            // planned while the current one is stored. Each report is generated where a file would be read (when the
            // importer opens it, on the reading thread), not on the storing thread.
            long generatingTicks = 0;
            Stream Generate(Func<byte[]> generate)
            {
                var gen = Stopwatch.StartNew();
                var bytes = generate();
                Interlocked.Add(ref generatingTicks, gen.Elapsed.Ticks);
                return new MemoryStream(bytes, writable: false);
            }
            IEnumerable<ReportSource> Reports()
            {
                for (var a = from; a < from + artifacts; a++)
                {
                    var image = $"registry.example/fleet/app{a % 250}:{a / 250 + 1}";
                    var digest = "sha256:" + a.ToString("x64", CultureInfo.InvariantCulture);
                    var claims = Enumerable.Range(0, per).Select(_ => pool[rnd.Next(pool.Count)]).DistinctBy(c => (c.Cve, c.Package)).ToList();
                    yield return new ReportSource($"trivy-{a}.json", () => Generate(() => ReportGenerator.Trivy(image, digest, claims)));
                    yield return new ReportSource($"grype-{a}.json", () => Generate(() => ReportGenerator.Grype(image, digest, claims)));
                    yield return new ReportSource($"snyk-{a}.json", () => Generate(() => ReportGenerator.Snyk(image, claims)));
                }
            }
            var since = Stopwatch.StartNew();
            var done = 0;
            await importer.ImportManyAsync(Reports(), new ImportOptions(), (source, summary, error) =>
            {
                if (error is not null) throw new InvalidOperationException($"{source.FileName}: {error.Message}", error);
                // Time between two results (per commit group, see below).
                times.Add(since.Elapsed.TotalMilliseconds);
                since.Restart();
                if (++done % 300 == 0) Console.Error.WriteLine($"{target}: {done / 3} artifacts, {total.Elapsed.TotalSeconds:F0} s, last import {times[^1]:F0} ms");
                return Task.CompletedTask;
            });
            total.Stop();
            await using var ctx = TriageDatabase.CreateContext(conn);
            var findings = ctx.Findings.LongCount();
            // Results arrive per commit group (ADR 097): a group's reports are handed over together, so the time between two
            // results is the group's time for its first one and ~0 for the others. A tenth of the run spans many groups.
            var tenth = Math.Max(1, times.Count / 10);
            var first = times.Take(tenth).Average();
            var last = times.TakeLast(tenth).Average();
            Console.WriteLine($"| {target} | {times.Count:N0} | {times.Count * per:N0} | {total.Elapsed.TotalSeconds:F0} s | {TimeSpan.FromTicks(Interlocked.Read(ref generatingTicks)).TotalSeconds:F0} s | {first:F0} ms | {last:F0} ms | {last / first:F2} | {findings:N0} |");
        }
        return 0;
    }
}

/// <summary>`triage findings --format json` of a whole database into a file (peak RSS from /usr/bin/time), against
/// `jq length` of the same output in the same round: the listing's cost next to merely parsing what it wrote.</summary>
internal static class ListBench
{
    public static int Run(string triage, string db, string work, int rounds)
    {
        var output = Path.Combine(work, "findings.json");
        var list = new List<double>();
        var jq = new List<double>();
        long peak = 0, findings = 0, bytes = 0;
        for (var i = 0; i < rounds; i++)
        {
            var r = IngestBench.Run("/usr/bin/time", ["-f", "%M", "sh", "-c", "exec \"$0\" findings --db \"$1\" --format json > \"$2\"", triage, db, output]);
            if (r.ExitCode != 0) throw new InvalidOperationException($"findings failed: {r.Error}");
            list.Add(r.Seconds);
            peak = Math.Max(peak, long.Parse(r.Error.Trim().Split('\n')[^1], CultureInfo.InvariantCulture) * 1024);
            var count = IngestBench.Run("jq", ["length", output]);
            jq.Add(count.Seconds);
            bytes = new FileInfo(output).Length;
            findings = long.Parse(count.Output.Trim(), CultureInfo.InvariantCulture);
        }
        File.Delete(output);
        var m = IngestBench.Median(list);
        Console.WriteLine("| findings | output | list (median) | findings/s | peak RSS | jq length of the output | list ÷ jq |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Console.WriteLine($"| {findings:N0} | {bytes / 1048576.0:F0} MiB | {m:F2} s | {findings / m:N0} | {peak / 1048576.0:F0} MB | {IngestBench.Median(jq):F2} s | {m / IngestBench.Median(jq):F2} |");
        return 0;
    }
}
