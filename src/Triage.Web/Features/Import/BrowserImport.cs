using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Ingest;
using Triage.Data.Import;
using Triage.Core.Audit;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Queue;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Import;

/// <summary>Imports a file dropped on the Import page through the durable import queue, as POST /api/v1/scans does (the
/// same importer as `triage ingest`), reporting bytes read as it goes.</summary>
public sealed class BrowserImport(ImportQueueService imports, IConfiguration config, Auditor audit)
{
    public long MaxBytes => config.GetValue<long?>("Triage:Import:MaxReportBytes") ?? ImportOptions.DefaultMaxBytes;

    public async Task<ImportSummary> ImportAsync(IBrowserFile file, string? image, UserAccess user, IProgress<long>? progress, CancellationToken ct)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("only triagers and admins import reports");
        if (file.Size > MaxBytes)
            throw new ReportFormatException(ReportErrorCode.TooLarge, $"the report is larger than the limit of {CaptureStream.FormatBytes(MaxBytes)}");
        var options = new ImportOptions { Image = string.IsNullOrWhiteSpace(image) ? null : image.Trim(), ImportedBy = user.Name, MaxBytes = MaxBytes };
        // +1: let the importer see an over-long stream and refuse it itself.
        await using var browser = file.OpenReadStream(MaxBytes + 1, ct);
        await using var counted = new ProgressStream(browser, progress);
        var name = Path.GetFileName(file.Name);
        try
        {
            var summary = await imports.ImportAsync(counted, name, options, ct);
            await audit.RecordAsync(user, AuditActions.ReportImported, "scan", summary.Image ?? name,
                $"{name}: {summary.Findings} findings ({summary.NewFindings} new)" + (summary.Duplicate ? ", same bytes imported before" : ""));
            return summary;
        }
        catch (ReportFormatException e)
        {
            await audit.RecordAsync(user, AuditActions.ReportRejected, "scan", name, $"{e.CodeName}: {e.Message}", succeeded: false);
            throw;
        }
    }
}

/// <summary>Reports how many bytes have been read (for the per-file progress bar).</summary>
internal sealed class ProgressStream(Stream inner, IProgress<long>? progress) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        _read += n;
        progress?.Report(_read);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
