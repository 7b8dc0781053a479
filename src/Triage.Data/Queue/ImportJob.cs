using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Triage.Data.Queue;

/// <summary>Where an import job stands. Stored as an integer.</summary>
public enum ImportJobState
{
    /// <summary>Waiting for an instance (enqueued without a claim, or released by an instance that stopped).</summary>
    Queued = 0,
    /// <summary>Claimed by <see cref="ImportJob.ClaimedBy"/> until <see cref="ImportJob.LeaseUntil"/>; the holder renews the lease.</summary>
    Running = 1,
    /// <summary>Imported (or found to be a duplicate); <see cref="ImportJob.ResultJson"/> holds the summary.</summary>
    Done = 2,
    /// <summary>Refused (a bad report) or abandoned after too many attempts; <see cref="ImportJob.ErrorCode"/> says why.</summary>
    Failed = 3,
}

/// <summary>
/// One uploaded report waiting for, or going through, the importer (docs/decisions/070-scale-out-and-queue.md). The bytes
/// are kept (gzip) until the job finishes, so any instance can finish a job whose instance died; then only the outcome
/// stays, until retention deletes the row.
/// </summary>
public sealed class ImportJob
{
    public long Id { get; set; }
    public ImportJobState State { get; set; }
    public required string FileName { get; set; }
    /// <summary>Lower-case hex SHA-256 of the uncompressed report (the same value <c>RawReports.Sha256</c> gets).</summary>
    public required string Sha256 { get; set; }
    /// <summary>Uncompressed size.</summary>
    public long SizeBytes { get; set; }
    /// <summary>The report, gzip-compressed; null once the job has finished.</summary>
    public byte[]? Content { get; set; }
    /// <summary>Import options as the client gave them.</summary>
    public string? Image { get; set; }
    public string? Scanner { get; set; }
    public string? ImportedBy { get; set; }
    public long MaxBytes { get; set; }

    /// <summary>The instance that received the upload.</summary>
    public required string EnqueuedBy { get; set; }
    public DateTime EnqueuedAt { get; set; }
    /// <summary>The instance working on it (or that last did).</summary>
    public string? ClaimedBy { get; set; }
    /// <summary>Another instance may take the job over once this has passed.</summary>
    public DateTime? LeaseUntil { get; set; }
    /// <summary>Claims so far; also the claim's token (a holder whose job was taken over cannot complete it).</summary>
    public int Attempts { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>The import summary (the API's JSON) of a finished job.</summary>
    public string? ResultJson { get; set; }
    public string? ErrorCode { get; set; }
    public string? Error { get; set; }
}

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> b)
    {
        b.ToTable("ImportJobs");
        b.Property(x => x.FileName).HasMaxLength(400);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.EnqueuedBy).HasMaxLength(200);
        b.Property(x => x.ClaimedBy).HasMaxLength(200);
        b.Property(x => x.ErrorCode).HasMaxLength(100);
        b.HasIndex(x => new { x.State, x.Id });               // claim: the oldest queued or expired job
        b.HasIndex(x => x.Sha256);                            // what became of an upload
        b.HasIndex(x => x.FinishedAt);                        // retention
    }
}
