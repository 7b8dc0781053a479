namespace Triage.Data.Import;

/// <summary>With TRIAGE_SQL_PROFILE=1 (benchmarks and profiling only): SQLite's own time per statement text on the import
/// connections (sqlite3_profile: from the first step to the reset, so a query's time includes reading its rows), summed
/// over the process and printed to stderr at exit, the most expensive first. The hook stays on a handle the pool hands out
/// again, so statements other code later runs on it are counted as well; statements are keyed by their first 160 characters.</summary>
internal static class SqlProfile
{
    private static readonly bool On = Environment.GetEnvironmentVariable("TRIAGE_SQL_PROFILE") == "1";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Ns, long Count)> Stats = new();
    private static readonly SQLitePCL.delegate_profile Callback = (_, sql, ns) =>
    {
        var key = sql.utf8_to_string();
        if (key.Length > 160) key = key[..160];
        Stats.AddOrUpdate(key, (ns, 1), (_, v) => (v.Ns + ns, v.Count + 1));
    };
    private static int _hooked;

    public static void Attach(SQLitePCL.sqlite3 db)
    {
        if (!On) return;
        SQLitePCL.raw.sqlite3_profile(db, Callback, null);
        if (Interlocked.Exchange(ref _hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                foreach (var (k, v) in Stats.OrderByDescending(kv => kv.Value.Ns).Take(80))
                    Console.Error.WriteLine($"[sql] {v.Ns / 1e6,9:F0} ms {v.Count,8} x  {k.ReplaceLineEndings(" ")}");
            };
    }
}
