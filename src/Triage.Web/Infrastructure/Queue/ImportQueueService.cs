using System.Diagnostics;
using System.Text.Json;
using Triage.Core.Audit;
using Triage.Core.Domain;
using Triage.Core.Ingest;
using Triage.Data.Import;
using Triage.Data.Queue;
using Triage.Data.Vex;
using Triage.Web.Infrastructure.Operations;

namespace Triage.Web.Infrastructure.Queue;

/// <summary>
/// Every import of the web app goes through here (POST /api/v1/scans and the Import page): the upload is read once
/// (hash, gzip, size limit), stored as a job claimed by this instance, imported, and the job's outcome recorded; the caller
/// gets the import summary as before. The job is durable from the moment it is stored: if this instance dies, another one
/// claims it when the lease runs out and finishes it (docs/decisions/070-scale-out-and-queue.md). Transient database
/// failures are retried with backoff for <see cref="QueueOptions.RetrySeconds"/>.
/// </summary>
public sealed class ImportQueueService(
    ImportQueue queue, ReportImporter importer, QueueRuntime runtime, QueueOptions options, IHostEnvironment environment,
    TriageTelemetry telemetry, Triage.Data.Runtime.FindingRiskService risk, TriageConnection connection, TimeProvider time,
    ILogger<ImportQueueService> log)
{
    private readonly TransientRetry _retry = new(TimeSpan.FromSeconds(options.RetrySeconds), log, telemetry.Retried);

    /// <summary>Imports an upload through the queue. Throws <see cref="ReportFormatException"/> for a report that cannot be
    /// imported (the job is recorded as failed); a database that is down longer than the retry budget, read-only or full
    /// throws the database's exception (see <see cref="StorageFaults"/>). <paramref name="ct"/> covers reading the upload and
    /// waiting: once stored, the job runs to its end even if the caller goes away.</summary>
    public async Task<ImportSummary> ImportAsync(Stream body, string fileName, ImportOptions request, CancellationToken ct)
    {
        byte[] gzip;
        string sha;
        long size;
        using (var capture = new CaptureStream(body, request.MaxBytes))
        {
            await capture.DrainAsync(ct);
            sha = capture.Sha256Hex;
            gzip = capture.CompressedBytes;
            size = capture.BytesRead;
        }
        var jobRequest = new ImportJobRequest(fileName, request.Image, request.Scanner?.ToWire(), request.ImportedBy, request.MaxBytes);
        var claim = await _retry.RunAsync("Enqueuing an import", c => queue.EnqueueClaimedAsync(jobRequest, gzip, sha, size, runtime.Instance, options.Lease, c), ct);
        log.LogInformation("Import job {JobId} queued for {File} ({Bytes} bytes, sha256 {Sha256})", claim.JobId, fileName, size, sha);
        runtime.Hold(claim);
        var run = RunHeldAsync(claim, new JobContent(gzip, sha, size, jobRequest));
        // Observe the outcome even when the caller stopped waiting (it is logged and recorded on the job).
        _ = run.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        return await run.WaitAsync(ct);
    }

    /// <summary>Runs a job claimed by the worker (enqueued elsewhere, or left by an instance that died).</summary>
    internal async Task RunClaimedAsync(ImportJobClaim claim)
    {
        runtime.Hold(claim);
        try
        {
            var job = await _retry.RunAsync("Loading an import job", c => queue.LoadAsync(claim.JobId, c), runtime.ShutdownToken);
            if (job?.Content is null)
            {
                runtime.Drop(claim);
                return;
            }
            log.LogInformation("Import job {JobId} ({File}) claimed by this instance, attempt {Attempt} (enqueued by {EnqueuedBy})",
                claim.JobId, job.FileName, claim.Attempt, job.EnqueuedBy);
            await RunHeldAsync(claim, new JobContent(job.Content, job.Sha256, job.SizeBytes,
                new ImportJobRequest(job.FileName, job.Image, job.Scanner, job.ImportedBy, job.MaxBytes)));
        }
        catch (ReportFormatException)
        {
            // Recorded on the job; nobody is waiting here.
        }
        catch (Exception e)
        {
            runtime.Drop(claim);
            log.LogError(e, "Import job {JobId} failed on this instance", claim.JobId);
        }
    }

    private async Task<ImportSummary> RunHeldAsync(ImportJobClaim claim, JobContent content)
    {
        var stop = runtime.ShutdownToken;
        try
        {
            await runtime.Slots.WaitAsync(stop);
            try
            {
                return await ExecuteAsync(claim, content, stop);
            }
            finally
            {
                runtime.Slots.Release();
            }
        }
        finally
        {
            runtime.Drop(claim);
        }
    }

    private async Task<ImportSummary> ExecuteAsync(ImportJobClaim claim, JobContent content, CancellationToken stop)
    {
        using var activity = TriageTelemetry.Source.StartActivity("triage.import");
        activity?.SetTag("triage.job.id", claim.JobId);
        activity?.SetTag("triage.job.attempt", claim.Attempt);
        activity?.SetTag("triage.report.bytes", content.Size);
        var clock = Stopwatch.StartNew();
        ScannerKind? scanner = content.Request.Scanner is { } s && ScannerKindNames.TryParse(s, out var k) ? k : null;
        var importOptions = new ImportOptions
        {
            Image = content.Request.Image, Scanner = scanner, ImportedBy = content.Request.ImportedBy, MaxBytes = content.Request.MaxBytes,
            BeforeCommit = options.PauseBeforeCommitMs > 0 && environment.IsDevelopment() ? c => PauseAsync(claim, c) : null,
        };
        ImportSummary summary;
        try
        {
            summary = await _retry.RunAsync("Importing", c => importer.ImportCapturedAsync(content.Gzip, content.Sha256, content.Size,
                content.Request.FileName, importOptions, c), stop);
        }
        catch (ReportFormatException e)
        {
            telemetry.ImportFinished("refused", clock.Elapsed);
            activity?.SetStatus(ActivityStatusCode.Error, e.CodeName);
            await RecordAsync("Recording a refused import", c => queue.FailAsync(claim, runtime.Instance, e.CodeName, e.Describe(), c), claim);
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutting down: give the job back so another instance takes it at once instead of after the lease.
            await RecordAsync("Releasing an import job", c => queue.ReleaseAsync(claim, runtime.Instance, c), claim, TimeSpan.FromSeconds(5));
            throw;
        }
        catch (Exception e) when (StorageFaults.Classify(e) != StorageFault.None)
        {
            // The database is down (past the retry budget), read-only or full: the job stays claimed until its lease runs out,
            // then an instance tries again (at most MaxAttempts times); the client gets a clear error and may retry.
            telemetry.ImportFinished("failed", clock.Elapsed);
            activity?.SetStatus(ActivityStatusCode.Error, StorageFaults.Code(StorageFaults.Classify(e)));
            log.LogWarning(e, "Import job {JobId} could not be stored: {Reason}", claim.JobId, StorageFaults.Describe(StorageFaults.Classify(e)));
            throw;
        }
        catch (Exception e)
        {
            telemetry.ImportFinished("failed", clock.Elapsed);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            log.LogError(e, "Import job {JobId} failed", claim.JobId);
            await RecordAsync("Recording a failed import", c => queue.FailAsync(claim, runtime.Instance, "internal_error",
                "the import failed unexpectedly; the error is in the server log", c), claim);
            throw;
        }

        // Verdicts and scores of the imported images, as `triage ingest` does (evidence ingested earlier applies now). The
        // import is committed: a failure here is logged and the findings are scored at the next start or refresh.
        try
        {
            await risk.AfterImportAsync(summary, stop);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "Scoring after import job {JobId} failed; the findings keep their previous scores", claim.JobId);
        }

        var outcome = summary.Duplicate ? "duplicate" : "imported";
        telemetry.ImportFinished(outcome, clock.Elapsed);
        activity?.SetTag("triage.import.outcome", outcome);
        activity?.SetTag("triage.import.findings", summary.Findings);
        await RecordAsync("Recording an import", async c =>
        {
            if (!await queue.CompleteAsync(claim, runtime.Instance, SummaryJson(summary), c))
                log.LogWarning("Import job {JobId} was taken over by another instance while this one imported it; the report landed once " +
                               "(the same bytes again are a duplicate)", claim.JobId);
        }, claim);
        log.LogInformation("Import job {JobId} {Outcome}: {Findings} findings ({New} new) in {Ms} ms", claim.JobId, outcome, summary.Findings,
            summary.NewFindings, (long)clock.Elapsed.TotalMilliseconds);
        // Only a new finding or a new image name can match a statement that matched nothing (ADR 110): a rescan that found
        // nothing new under the same names skips it.
        if (VexRematch.IsWarrantedBy([summary])) await RematchVexAsync(claim, stop);
        return summary;
    }

    /// <summary>Stored VEX documents whose statements named images, packages or vulnerabilities not scanned yet are matched
    /// again now that this report landed (docs/decisions/110-vex-rematch-after-imports.md): one probe query when there is none.
    /// The import is committed and its job completed, so nothing here can fail it: a failure is logged (and the re-match
    /// audits what it did and what it could not do).</summary>
    private async Task RematchVexAsync(ImportJobClaim claim, CancellationToken stop)
    {
        try
        {
            var outcomes = await new VexRematch(connection.ConnectionString, time).AfterImportsAsync(time.GetUtcNow(), AuditChannels.Web, stop);
            foreach (var o in outcomes)
            {
                // A skip or failure already in the audit log (met again after every import) is logged at debug level.
                if (o.Repeated) log.LogDebug("After import job {JobId}: {Rematch} (as before)", claim.JobId, o.Describe());
                else if (o.State == VexRematchState.Failed) log.LogWarning("After import job {JobId}: {Rematch}", claim.JobId, o.Describe());
                else if (o.State == VexRematchState.Skipped || o.DecisionsRecorded > 0) log.LogInformation("After import job {JobId}: {Rematch}", claim.JobId, o.Describe());
                if (o.AuditError is { } error) log.LogWarning("After import job {JobId}: the audit entry of a VEX re-match was not written: {Error}", claim.JobId, error);
            }
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Matching stored VEX documents again after import job {JobId} failed; the import itself landed", claim.JobId);
        }
    }

    /// <summary>Writes the job's outcome. The import itself is already decided (committed or refused): a failure here only
    /// leaves the job for another instance to finish (the same bytes are then a duplicate), so it is logged, not thrown.</summary>
    private async Task RecordAsync(string what, Func<CancellationToken, Task> write, ImportJobClaim claim, TimeSpan? within = null)
    {
        using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(options.RetrySeconds));
        try
        {
            await _retry.RunAsync(what, write, cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || StorageFaults.Classify(e) != StorageFault.None)
        {
            log.LogWarning(e, "{What} for job {JobId} failed; the job is left for its lease to run out", what, claim.JobId);
        }
    }

    private async Task PauseAsync(ImportJobClaim claim, CancellationToken ct)
    {
        log.LogWarning("Fault injection: import job {JobId} waits {Ms} ms before committing", claim.JobId, options.PauseBeforeCommitMs);
        await Task.Delay(options.PauseBeforeCommitMs, ct);
    }

    internal static string SummaryJson(ImportSummary summary)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) ImportJson.Write(w, summary);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private sealed record JobContent(byte[] Gzip, string Sha256, long Size, ImportJobRequest Request);
}
