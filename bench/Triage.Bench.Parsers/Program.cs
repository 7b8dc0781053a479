using System.Diagnostics;
using Triage.Core.Domain;
using Triage.Core.Ingest;

// Times ScanReportReader on one report: the first round in the process is "cold" (includes JIT), the rest "warm".
// Prints one line per round and the process's whole wall time, so a run can be set against `jq length FILE`.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Triage.Bench.Parsers FILE [ROUNDS] [trivy|grype|snyk]");
    return 2;
}
var file = args[0];
var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
ScannerKind? forced = args.Length > 2 && ScannerKindNames.TryParse(args[2], out var k) ? k : null;
var size = new FileInfo(file).Length / (1024.0 * 1024.0);
var reader = ScanReportReader.Default;
if (Environment.GetEnvironmentVariable("BENCH_BASELINE") == "1")
{
    // Baseline: tokenize the whole file with Utf8JsonReader and nothing else.
    var bytes = File.ReadAllBytes(file);
    for (var i = 0; i < rounds; i++)
    {
        var c0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw0 = Stopwatch.StartNew();
        var r = new System.Text.Json.Utf8JsonReader(bytes);
        long tokens = 0;
        while (r.Read()) tokens++;
        Console.WriteLine(FormattableString.Invariant($"tokenize {sw0.Elapsed.TotalMilliseconds:F1} ms (cpu {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds:F0} ms) {tokens} tokens"));
    }
    return 0;
}
var exceptions = 0;
AppDomain.CurrentDomain.FirstChanceException += (_, _) => Interlocked.Increment(ref exceptions);
for (var i = 0; i < rounds; i++)
{
    var allocated = GC.GetTotalAllocatedBytes(precise: true);
    var retainedBefore = GC.GetTotalMemory(forceFullCollection: Environment.GetEnvironmentVariable("BENCH_RETAINED") == "1");
    var pause = GC.GetTotalPauseDuration();
    if (Environment.GetEnvironmentVariable("BENCH_NOGC") == "1") GC.TryStartNoGCRegion(240L * 1024 * 1024);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    var report = await reader.ParseFileAsync(file, forced);
    sw.Stop();
    allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    pause = GC.GetTotalPauseDuration() - pause;
    if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    if (Environment.GetEnvironmentVariable("BENCH_RETAINED") == "1")
        Console.WriteLine(FormattableString.Invariant($"retained {(GC.GetTotalMemory(true) - retainedBefore) / 1048576.0:F1} MiB"));
    Console.WriteLine(FormattableString.Invariant(
        $"{(i == 0 ? "cold" : "warm")} {sw.Elapsed.TotalMilliseconds,8:F1} ms (cpu {cpu.TotalMilliseconds,6:F0} ms, gc pause {pause.TotalMilliseconds,5:F0} ms)  {size / sw.Elapsed.TotalSeconds,7:F0} MiB/s  observations {report.ObservationCount}  vulnerabilities {report.Vulnerabilities.Count}  allocated {allocated / 1048576.0:F0} MiB  exceptions {exceptions}  gen0 {GC.CollectionCount(0)} gen2 {GC.CollectionCount(2)}"));
}
Console.WriteLine(FormattableString.Invariant($"process cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0} ms, wall {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:F0} ms, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB"));
return 0;
