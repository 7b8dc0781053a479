using System.Diagnostics;

namespace Triage.Data.Import;

/// <summary>Phase timings of an import, printed to stderr when TRIAGE_IMPORT_TIMINGS=1 (for benchmarks and profiling).</summary>
internal sealed class ImportTimings
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("TRIAGE_IMPORT_TIMINGS") is "1" or "alloc";

    /// <summary>TRIAGE_IMPORT_TIMINGS=alloc: each lap also lists the types allocated most since the last one, sampled by the
    /// runtime's allocation tick (one event per ~100 KB allocated, naming the type that crossed it).</summary>
    private static readonly bool Allocations = Environment.GetEnvironmentVariable("TRIAGE_IMPORT_TIMINGS") == "alloc";
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan _last;
    private long _threadAllocated = GC.GetAllocatedBytesForCurrentThread();

    // Listens from the first import on (created with this type); kept referenced so that it stays alive.
    private static readonly GcReasons? Gcs = Enabled ? new GcReasons() : null;

    public static ImportTimings Start() => new();

    /// <summary>Prints each collection's number, generation and reason (the runtime's GCStart event: reason 0 is a small-object
    /// allocation, 4 a large one, 1 an induced collection) and the generations' sizes after it, to tell which collections an
    /// import triggers and why (docs/benchmarks.md).</summary>
    private sealed class GcReasons : System.Diagnostics.Tracing.EventListener
    {
        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, Allocations ? System.Diagnostics.Tracing.EventLevel.Verbose : System.Diagnostics.Tracing.EventLevel.Informational,
                    (System.Diagnostics.Tracing.EventKeywords)1);
        }

        private readonly Dictionary<string, long> _sampled = [];

        /// <summary>The sampled allocation per type since the last call, largest first.</summary>
        public List<KeyValuePair<string, long>> TakeSampled(int top)
        {
            lock (_sampled)
            {
                var result = _sampled.OrderByDescending(kv => kv.Value).Take(top).ToList();
                _sampled.Clear();
                return result;
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName is "GCAllocationTick_V4" && e.Payload is { } a && e.PayloadNames is { } names)
            {
                var type = a[names.IndexOf("TypeName")] as string ?? "?";
                var amount = Convert.ToInt64(a[names.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
                lock (_sampled) _sampled[type] = _sampled.GetValueOrDefault(type) + amount;
            }
            else if (e.EventName is "GCStart_V2" && e.Payload is { Count: >= 3 } p)
                Console.Error.WriteLine($"[gc] #{p[0]} gen {p[1]} reason {p[2]} type {(p.Count > 3 ? p[3] : "")}");
            else if (e.EventName is "GCHeapStats_V2" && e.Payload is { } q)
                Console.Error.WriteLine($"[gc] heap stats gen0 {q[0]} gen1 {q[2]} gen2 {q[4]} loh {q[6]}");
        }
    }

    public void Lap(string phase)
    {
        if (!Enabled || Gcs is null) return;
        var now = _watch.Elapsed;
        // This thread's allocation since the last lap: the phase's own, when it ran on one thread (the global figure below
        // also counts what another thread, such as the next report's parse, allocated meanwhile).
        var threadAllocated = GC.GetAllocatedBytesForCurrentThread();
        var own = threadAllocated - _threadAllocated;
        _threadAllocated = threadAllocated;
        Console.Error.WriteLine($"[timing] {phase}: {(now - _last).TotalMilliseconds:F0} ms, {own >> 10} KiB on this thread (cpu {Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds:F0} ms total; " +
                                $"allocated {GC.GetTotalAllocatedBytes() >> 20} MiB, GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms; " +
                                $"jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods, {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0} ms; " +
                                $"heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MiB, rss {Environment.WorkingSet >> 20} MiB)");
        if (Allocations)
            foreach (var (type, bytes) in Gcs.TakeSampled(8))
                Console.Error.WriteLine($"[alloc]   {bytes >> 10,8} KiB  {type}");
        _last = now;
    }
}
