using Triage.Data.Queue;
using Triage.Web.Infrastructure.Operations;

namespace Triage.Web.Infrastructure.Queue;

/// <summary>
/// The queue's background loop on every instance: renews the leases of the jobs this instance holds, takes jobs that are
/// queued or whose holder died (lease expired) while it has free import slots, abandons jobs out of attempts, and
/// publishes the queue depth. Its heartbeat is part of readiness. On shutdown it lets running imports finish for
/// <see cref="QueueOptions.DrainSeconds"/>, then stops them; their jobs go back to the queue.
/// </summary>
public sealed class ImportQueueWorker(
    ImportQueue queue, ImportQueueService imports, QueueRuntime runtime, QueueOptions options, TriageTelemetry telemetry,
    ILogger<ImportQueueWorker> log) : BackgroundService
{
    private readonly List<Task> _running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        log.LogInformation("Import queue worker {Instance} started (lease {Lease} s, poll {Poll} s, {Slots} import slots, takes others' jobs: {Worker})",
            runtime.Instance, options.LeaseSeconds, options.PollSeconds, options.Concurrency, options.Worker);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
                runtime.Beat();
                if (failures > 0) log.LogInformation("Import queue worker reached the database again");
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (StorageFaults.Classify(e) != StorageFault.None || e is System.Data.Common.DbException)
            {
                // The database is away: keep going round (readiness reports it; leases are renewed when it is back).
                if (failures++ == 0) log.LogWarning(e, "Import queue worker cannot reach the database");
                if (StorageFaults.IsConnectionLoss(e)) Npgsql.NpgsqlConnection.ClearAllPools();
                runtime.Beat();
            }
            try { await Task.Delay(options.Poll, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    private async Task RoundAsync(CancellationToken ct)
    {
        var held = runtime.Held;
        if (held.Count > 0) await queue.RenewAsync(runtime.Instance, held, options.Lease, ct);
        lock (_running) _running.RemoveAll(t => t.IsCompleted);
        if (options.Worker)
        {
            await queue.AbandonExhaustedAsync(options.MaxAttempts, ct);
            while (runtime.Slots.CurrentCount > 0 && !ct.IsCancellationRequested
                   && await queue.ClaimNextAsync(runtime.Instance, options.Lease, options.MaxAttempts, ct) is { } claim)
            {
                telemetry.Claimed();
                runtime.Hold(claim);
                var task = Task.Run(() => imports.RunClaimedAsync(claim), CancellationToken.None);
                lock (_running) _running.Add(task);
                // Let the job take its slot before looking for another.
                await Task.Delay(50, ct);
            }
        }
        var depth = await queue.DepthAsync(ct);
        telemetry.QueueDepth(depth.Queued, depth.Running);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Task[] running;
        lock (_running) running = [.. _running];
        var drain = Task.Delay(TimeSpan.FromSeconds(options.DrainSeconds), cancellationToken);
        while (runtime.Running > 0 && !drain.IsCompleted)
        {
            // Imports received over HTTP are not in _running: wait on the held count, renewing their leases meanwhile.
            try { await queue.RenewAsync(runtime.Instance, runtime.Held, options.Lease, CancellationToken.None); }
            catch (Exception e) when (StorageFaults.Classify(e) != StorageFault.None) { log.LogDebug(e, "Lease renewal during shutdown failed"); }
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(500, CancellationToken.None));
        }
        if (runtime.Running > 0)
        {
            log.LogWarning("Shutdown: {Count} imports still running after {Drain} s are stopped and handed back to the queue", runtime.Running, options.DrainSeconds);
            runtime.StopImports();
            await Task.WhenAny(Task.WhenAll(running), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        }
    }
}
