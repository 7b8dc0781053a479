using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Triage.Data.Runtime;

namespace Triage.Bench.Ingest;

/// <summary>
/// A full rescore of a database (what a KEV import, a changed ranking policy or a new score-input version runs, ADR 108),
/// or with <c>--verdicts</c> a full refresh (every verdict judged again, then every score: `triage runtime refresh`):
/// time, memory allocated and the process's peak resident set, against a baseline in the same run: one plain read of
/// every finding's id and severity, the least any pass over all findings costs.
/// </summary>
internal static class RescoreBench
{
    public static async Task<int> RunAsync(string connectionString, int rounds, int? slice, bool verdicts)
    {
        var postgres = connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase);
        Console.WriteLine("| round | findings | baseline read | rescore | rescore ÷ baseline | allocated | peak RSS before / after | after: anonymous / file-backed (mapped database) | GC heap after |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        for (var round = 1; round <= rounds; round++)
        {
            var sw = Stopwatch.StartNew();
            var findings = postgres ? await ReadAllPostgresAsync(connectionString) : ReadAllSqlite(connectionString);
            var baseline = sw.Elapsed.TotalSeconds;
            var before = StatusMb("VmHWM:");
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            sw.Restart();
            var service = new FindingRiskService(connectionString);
            if (slice is { } n) service = new FindingRiskService(connectionString) { SliceFindings = n };
            var result = verdicts ? await service.RefreshEverythingAsync() : await service.RescoreAllAsync();
            var rescore = sw.Elapsed.TotalSeconds;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Console.WriteLine($"| {round}, slices of {(slice ?? service.SliceFindings):N0} | {findings:N0} ({(verdicts ? $"{result.FindingsJudged:N0} judged, " : "")}{result.FindingsScored:N0} scored) | {baseline:F2} s | {rescore:F2} s | {rescore / baseline:F1} | " +
                              $"{allocated / 1048576.0:N0} MiB | {before:N0} / {StatusMb("VmHWM:"):N0} MB | {StatusMb("RssAnon:"):N0} / {StatusMb("RssFile:"):N0} MB | " +
                              $"{GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:N0} MiB |");
        }
        return 0;
    }

    private static long ReadAllSqlite(string connectionString)
    {
        using var conn = new SqliteConnection(connectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT \"Id\", \"Severity\" FROM \"Findings\"";
        using var r = cmd.ExecuteReader();
        long n = 0, sum = 0;
        while (r.Read()) { n++; sum += r.GetInt64(1); }
        return n + (sum < 0 ? 1 : 0);
    }

    private static async Task<long> ReadAllPostgresAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT \"Id\", \"Severity\" FROM \"Findings\"", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        long n = 0, sum = 0;
        while (await r.ReadAsync()) { n++; sum += r.GetInt32(1); }
        return n + (sum < 0 ? 1 : 0);
    }

    /// <summary>A line of /proc/self/status in MB: VmHWM (peak resident set), RssAnon (the process's own memory), RssFile
    /// (file pages mapped in: the runtime's files and the memory-mapped database, ADR 098, which the kernel may drop).</summary>
    private static double StatusMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return double.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return 0;
    }
}
