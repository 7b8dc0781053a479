using Microsoft.EntityFrameworkCore;
using Triage.Core.Audit;
using Triage.Data;
using Triage.Data.Audit;
using Triage.Data.Queue;
using Triage.Data.Runtime;
using Triage.Web.Infrastructure.Queue;

namespace Triage.Web.Infrastructure.Operations;

/// <summary>Triage:Retention in configuration (docs/operations.md).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Triage:Retention";

    /// <summary>Raw report bytes older than this many days are dropped (0 or unset: kept for ever). The row, its SHA-256 and
    /// everything imported from it stay, so the same bytes uploaded again are still a duplicate.</summary>
    public int RawReportDays { get; set; }
    /// <summary>Finished import jobs (outcome only; their bytes go when they finish) are deleted after this many days.</summary>
    public int ImportJobDays { get; set; } = 14;
    /// <summary>How often the purge runs.</summary>
    public double IntervalMinutes { get; set; } = 60;
}

/// <summary>
/// Applies the retention settings on every instance (the statements are idempotent and batched, so instances running it
/// at once only share the work): raw report content past <see cref="RetentionOptions.RawReportDays"/> becomes
/// <c>ContentEncoding = "purged"</c> with no content; finished jobs past <see cref="RetentionOptions.ImportJobDays"/> are deleted.
/// Superseded runtime evidence (Triage:Runtime:Retention, <see cref="RuntimeRetention"/>) is purged by one instance per
/// interval, the one that claims it, and audited as <c>runtime.purged</c> when anything went.
/// </summary>
public sealed class RetentionService(
    IDbContextFactory<TriageDbContext> factory, ImportQueue queue, RetentionOptions options, TimeProvider time, TriageTelemetry telemetry,
    ILogger<RetentionService> log, RuntimeRetention runtimeRetention, QueueRuntime instance, AuditLog audit, TriageConnection connection) : BackgroundService
{
    public const string Purged = "purged";
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.RawReportDays <= 0 && options.ImportJobDays <= 0 && !runtimeRetention.Retention.Enabled) return;
        // Not at once: let the app start (and migrations finish) first.
        try { await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, options.IntervalMinutes * 60)), stoppingToken); }
        catch (OperationCanceledException) { return; }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Retention run failed; it runs again in {Minutes} minutes", options.IntervalMinutes);
            }
            try
            {
                await RunRuntimeOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Runtime retention run failed; it runs again in {Minutes} minutes", options.IntervalMinutes);
            }
            try { await Task.Delay(TimeSpan.FromMinutes(options.IntervalMinutes), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One pass: returns (raw reports purged, jobs deleted).</summary>
    public async Task<(int RawReports, int Jobs)> RunOnceAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var reports = 0;
        if (options.RawReportDays > 0)
        {
            var cutoff = now.AddDays(-options.RawReportDays);
            while (true)
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                var ids = await db.RawReports.AsNoTracking().Where(r => r.ImportedAt < cutoff && r.ContentEncoding != Purged)
                    .OrderBy(r => r.Id).Select(r => r.Id).Take(Batch).ToListAsync(ct);
                if (ids.Count == 0) break;
                reports += await db.RawReports.Where(r => ids.Contains(r.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Content, (byte[]?)null).SetProperty(r => r.ContentEncoding, Purged), ct);
                if (ids.Count < Batch) break;
            }
        }
        var jobs = 0;
        if (options.ImportJobDays > 0)
        {
            var cutoff = now.AddDays(-options.ImportJobDays);
            int n;
            do jobs += n = await queue.PurgeFinishedAsync(cutoff, Batch, ct);
            while (n == Batch);
        }
        telemetry.Purged("raw_report", reports);
        telemetry.Purged("import_job", jobs);
        if (reports + jobs > 0)
            log.LogInformation("Retention: content of {Reports} raw reports older than {Days} days purged, {Jobs} finished import jobs deleted",
                reports, options.RawReportDays, jobs);
        return (reports, jobs);
    }

    /// <summary>Purges superseded runtime evidence when this instance claims the interval; null when another instance has it
    /// (or runtime retention is off).</summary>
    public async Task<RuntimePurgeResult?> RunRuntimeOnceAsync(CancellationToken ct = default)
    {
        if (!runtimeRetention.Retention.Enabled) return null;
        var period = TimeSpan.FromMinutes(options.IntervalMinutes);
        if (!await RuntimeRetention.TryClaimAsync(connection.ConnectionString, instance.Instance, time.GetUtcNow().UtcDateTime, period, ct)) return null;
        var result = await runtimeRetention.PurgeAsync(dryRun: false, ct);
        telemetry.Purged("runtime_workload", result.Workloads);
        telemetry.Purged("runtime_snapshot", result.Snapshots);
        telemetry.Purged("runtime_evidence_file", result.InventoryFiles + result.EvidenceFiles);
        if (result.Deleted > 0)
        {
            await audit.AppendAsync(AuditActor.System("retention", instance.Instance), AuditActions.RuntimePurged, "runtime", "retention", result.Describe(), ct: ct);
            log.LogInformation("Runtime retention: {Summary} in {Ms} ms", result.Describe(), result.ElapsedMs);
        }
        return result;
    }
}
