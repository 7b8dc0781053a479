using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Triage.Core.Domain;
using Triage.Core.Enrichment;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Verdicts;
using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Runtime;

namespace Triage.Bench.Ranking;

/// <summary>
/// Times the two bulk paths of issue 7: ranking 500,000 findings (score, explain, sort) and parsing a full-size
/// EPSS feed (300,000 rows, plain and gzip). Inputs are generated with a fixed seed so runs compare.
/// Usage: dotnet run -c Release --project bench/Triage.Bench.Ranking [-- --findings 500000 --epss-rows 300000 --runs 3]
/// With <c>--epss-import CONN</c> (SQLite or PostgreSQL), also the whole EPSS import through <see cref="EnrichmentService"/>
/// into that database: each run into an empty EPSS table, then a newer file over it (every score moves). Every CVE the
/// database's findings reference is in the files, so with findings (e.g. an ingested 30 MiB report) their rescoring is timed too.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var findings = Arg(args, "--findings", 500_000);
        var epssRows = Arg(args, "--epss-rows", 300_000);
        var runs = Arg(args, "--runs", 3);
        Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, server GC {System.Runtime.GCSettings.IsServerGC}");

        var inputs = Inputs(findings, seed: 42);
        var ranker = new RiskRanker();
        var rankTimes = new List<double>();
        IReadOnlyList<RiskResult> ranked = [];
        for (var r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            ranked = ranker.Rank(inputs);
            sw.Stop();
            rankTimes.Add(sw.Elapsed.TotalMilliseconds);
        }
        var counts = ranked.GroupBy(x => x.Disposition == RankDisposition.Excluded ? "excluded" : x.Priority.ToDisplay()).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"rank {findings:N0} findings (score + priority + total-order sort): {Summary(rankTimes)}; top score {ranked[0].Score}; {string.Join(", ", counts)}");

        // The "why" of each result is built on first access; time building it for the first page and for everything.
        var sw2 = Stopwatch.StartNew();
        var factors = ranked.Take(1000).Sum(x => x.Why.Count);
        Console.WriteLine($"explain top 1,000 ({factors:N0} factors): {sw2.Elapsed.TotalMilliseconds:F0} ms");
        sw2.Restart();
        factors = ranked.Sum(x => x.Why.Count);
        Console.WriteLine($"explain all {findings:N0} ({factors:N0} factors): {sw2.Elapsed.TotalMilliseconds:F0} ms");

        foreach (var gzip in new[] { false, true })
        {
            var bytes = EpssCsv(epssRows, gzip, seed: 42);
            var times = new List<double>();
            var count = 0;
            for (var r = 0; r < runs; r++)
            {
                var sw = Stopwatch.StartNew();
                var snapshot = await EpssParser.ParseAsync(new MemoryStream(bytes));
                sw.Stop();
                times.Add(sw.Elapsed.TotalMilliseconds);
                count = snapshot.Count;
            }
            Console.WriteLine($"parse EPSS {(gzip ? "csv.gz" : "csv")} {count:N0} rows ({bytes.Length / 1024:N0} KiB): {Summary(times)}");
        }
        if (Array.IndexOf(args, "--epss-import") is var at and >= 0 && at + 1 < args.Length) await ImportAsync(args[at + 1], epssRows, runs);
        return 0;
    }

    /// <summary>The whole `triage enrich` path for a gzip EPSS file (parse, bulk load, upsert, record, rescore), migration excluded.
    /// The files name first every CVE the database's findings reference (so a database with findings has them scored), then
    /// generated ones up to <paramref name="rows"/>; the newer file moves every score.</summary>
    private static async Task ImportAsync(string connectionString, int rows, int runs)
    {
        await TriageDatabase.EnsureMigratedAsync(connectionString);
        List<string> referenced;
        await using (var db = TriageDatabase.CreateContext(connectionString))
            referenced = await db.Vulnerabilities.Where(v => v.VulnId.StartsWith("CVE-")).Select(v => v.VulnId).Take(rows).ToListAsync();
        var first = EpssCsv(rows, gzip: true, seed: 42, cves: referenced);
        var newer = EpssCsv(rows, gzip: true, seed: 42, scoreDate: "2025-08-26", cves: referenced, moved: true);
        var service = new EnrichmentService(connectionString);
        var fresh = new List<double>();
        var update = new List<double>();
        var scored = 0;
        for (var r = 0; r < runs; r++)
        {
            await using (var db = TriageDatabase.CreateContext(connectionString))
            {
                await db.EpssEntries.ExecuteDeleteAsync();
                await db.EnrichmentImports.ExecuteDeleteAsync();
            }
            var sw = Stopwatch.StartNew();
            var a = await service.ImportAsync(new MemoryStream(first), "epss_scores-2025-08-25.csv.gz", new EnrichmentImportOptions());
            fresh.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var b = await service.ImportAsync(new MemoryStream(newer), "epss_scores-2025-08-26.csv.gz", new EnrichmentImportOptions());
            update.Add(sw.Elapsed.TotalMilliseconds);
            if (a.Added != rows || b.Changed != rows) throw new InvalidOperationException($"expected {rows} added then changed, got {a.Added} and {b.Changed}");
            scored = b.Refresh.FindingsScored;
        }
        Console.WriteLine($"import EPSS csv.gz {rows:N0} rows into an empty table ({TriageDatabase.DetectProvider(connectionString)}): {Summary(fresh)}");
        Console.WriteLine($"import a newer EPSS csv.gz over it (every score moves, {scored:N0} findings scored): {Summary(update)}");
    }

    private static string Summary(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return $"min {sorted[0]:F0} ms, median {sorted[sorted.Count / 2]:F0} ms, max {sorted[^1]:F0} ms over {ms.Count} runs";
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private static readonly string[][] Environments = [[], ["prod"], ["staging"], ["dev"], ["prod", "staging"], ["qa"]];

    /// <summary>Findings shaped like a real estate: ~2% KEV, EPSS skewed small, a third each not inventoried / not running / running.</summary>
    private static List<RiskInput> Inputs(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<RiskInput>(count);
        for (var i = 0; i < count; i++)
        {
            var kev = random.NextDouble() < 0.02;
            var running = random.Next(3) switch { 0 => (bool?)null, 1 => false, _ => true };
            list.Add(new RiskInput
            {
                FindingId = $"finding-{i:D7}",
                Severity = (Severity)random.Next(5),
                CvssScore = random.NextDouble() < 0.8 ? Math.Round(random.NextDouble() * 10, 1) : null,
                Kev = kev,
                KevDateAdded = kev ? new DateOnly(2021, 11, 3).AddDays(random.Next(1400)) : null,
                KevRansomware = kev && random.NextDouble() < 0.2 ? RansomwareUse.Known : RansomwareUse.Unknown,
                Epss = random.NextDouble() < 0.9 ? Math.Round(Math.Pow(random.NextDouble(), 6), 5) : null,
                EpssPercentile = random.NextDouble(),
                Running = running,
                Environments = running == true ? Environments[random.Next(Environments.Length)] : [],
                Workloads = running == true ? 1 + random.Next(10) : 0,
                Reachability = (ReachabilityVerdict)random.Next(5),
                ReachabilityConfidence = (VerdictConfidence)random.Next(3),
                FixAvailable = random.NextDouble() < 0.6,
                Vex = random.NextDouble() < 0.05 ? (RankingVexStatus)random.Next(5) : RankingVexStatus.None,
            });
        }
        return list;
    }

    /// <summary>A FIRST-shaped EPSS CSV: "#model_version…,score_date…", header, one row per CVE (<paramref name="cves"/>, then
    /// generated ids of years 1999–2025). With <paramref name="moved"/> every score is 0.00001 higher than the same seed gives.</summary>
    private static byte[] EpssCsv(int rows, bool gzip, int seed, string scoreDate = "2025-08-25", IReadOnlyList<string>? cves = null, bool moved = false)
    {
        var random = new Random(seed);
        var sb = new StringBuilder(rows * 36);
        sb.Append($"#model_version:v2025.03.14,score_date:{scoreDate}T00:00:00+0000\ncve,epss,percentile\n");
        var named = new HashSet<string>(cves ?? [], StringComparer.OrdinalIgnoreCase);
        for (int i = 0, generated = 0; i < rows; i++)
        {
            string cve;
            if (cves is not null && i < cves.Count) cve = cves[i];
            else
            {
                do cve = $"CVE-{1999 + generated * 27 / rows}-{10000 + generated++}";
                while (named.Contains(cve));
            }
            var epss = Math.Round(Math.Pow(random.NextDouble(), 6), 5);
            if (moved) epss = epss >= 1 ? 0.99999 : Math.Round(epss + 0.00001, 5);
            sb.Append(cve).Append(',')
              .Append(epss.ToString("0.#####", CultureInfo.InvariantCulture)).Append(',')
              .Append(Math.Round(Math.Pow(epss, 0.15), 5).ToString("0.#####", CultureInfo.InvariantCulture)).Append('\n');
        }
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        if (!gzip) return bytes;
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }
}
