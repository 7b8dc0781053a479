using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Ingest;
using Triage.Data.Import;
using Triage.Core.Audit;
using Triage.Web.Components.Shared;
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
        var options = new ImportOptions { Image = string.IsNullOrWhiteSpace(image) ? null : image.Trim(), ImportedBy = user.Name, MaxBytes = MaxBytes };
        await using var counted = FileUploadRunner.Open(file, MaxBytes, progress, "report", ct);
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
