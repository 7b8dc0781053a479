using Microsoft.EntityFrameworkCore;
using Triage.Data;
using Triage.Data.Queue;

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
/// </summary>
public sealed class RetentionService(
    IDbContextFactory<TriageDbContext> factory, ImportQueue queue, RetentionOptions options, TimeProvider time, TriageTelemetry telemetry,
    ILogger<RetentionService> log) : BackgroundService
{
    public const string Purged = "purged";
    private const int Batch = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.RawReportDays <= 0 && options.ImportJobDays <= 0) return;
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
}
