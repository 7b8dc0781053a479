using System.Diagnostics;

namespace Triage.Data.Import;

/// <summary>Phase timings of an import, printed to stderr when TRIAGE_IMPORT_TIMINGS=1 (for benchmarks and profiling).</summary>
internal sealed class ImportTimings
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("TRIAGE_IMPORT_TIMINGS") == "1";
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private TimeSpan _last;
    private long _threadAllocated = GC.GetAllocatedBytesForCurrentThread();

    public static ImportTimings Start() => new();

    public void Lap(string phase)
    {
        if (!Enabled) return;
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
        _last = now;
    }
}
