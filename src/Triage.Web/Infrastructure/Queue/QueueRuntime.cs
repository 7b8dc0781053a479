using System.Collections.Concurrent;
using Triage.Data.Queue;

namespace Triage.Web.Infrastructure.Queue;

/// <summary>This instance's side of the queue: its name, the jobs it holds (their leases are renewed), the import slots,
/// the worker's heartbeat (readiness), and the token that stops imports at the end of a shutdown.</summary>
public sealed class QueueRuntime(QueueOptions options, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<long, ImportJobClaim> _held = new();
    private readonly CancellationTokenSource _shutdown = new();
    private long _lastBeat;

    /// <summary>Unique per process: host name, process id and a random suffix (a restarted pod is another instance).</summary>
    public string Instance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    public SemaphoreSlim Slots { get; } = new(Math.Max(1, options.Concurrency), Math.Max(1, options.Concurrency));

    public IReadOnlyCollection<ImportJobClaim> Held => [.. _held.Values];

    public int Running => _held.Count;

    public void Hold(ImportJobClaim claim) => _held[claim.JobId] = claim;

    public void Drop(ImportJobClaim claim) => _held.TryRemove(new KeyValuePair<long, ImportJobClaim>(claim.JobId, claim));

    /// <summary>Cancelled when the drain time of a shutdown is over: running imports stop and their jobs go back to the queue.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    public void StopImports() => _shutdown.Cancel();

    public void Beat() => Interlocked.Exchange(ref _lastBeat, time.GetUtcNow().UtcTicks);

    /// <summary>When the worker loop last went round (null before its first round).</summary>
    public DateTimeOffset? LastBeat => Interlocked.Read(ref _lastBeat) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public void Dispose()
    {
        _shutdown.Dispose();
        Slots.Dispose();
    }
}
