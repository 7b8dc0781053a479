using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Audit;
using Triage.Core.Ingest;
using Triage.Core.Runtime.Files;
using Triage.Core.Runtime.Inventory;
using Triage.Data.Import;
using Triage.Data.Runtime;
using Triage.Web.Components.Shared;
using Triage.Web.Infrastructure.Access;
using Triage.Web.Infrastructure.Security;

namespace Triage.Web.Features.Runtime;

/// <summary>What the Runtime page's form adds to an evidence file: the CLI's flags and the API's query parameters.</summary>
public sealed record RuntimeUploadForm(string? Cluster, string? Image, bool Partial, string? Source, string? Coverage = null);

/// <summary>
/// Files dropped on the Runtime page go to the services `triage runtime ingest`, `triage enrich` and the API use
/// (<see cref="RuntimeIngestService"/>, <see cref="EnrichmentService"/>), with the same size limit as report imports;
/// each service recomputes the verdicts and scores its data affects.
/// </summary>
public sealed class BrowserRuntimeImport(RuntimeIngestService runtime, EnrichmentService enrichment, IConfiguration config, Auditor audit)
{
    public long MaxBytes => config.GetValue<long?>("Triage:Import:MaxReportBytes") ?? ImportOptions.DefaultMaxBytes;

    public async Task<RuntimeIngestSummary> IngestAsync(IBrowserFile file, RuntimeUploadForm form, UserAccess user, IProgress<long>? progress, CancellationToken ct)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("only triagers and admins import runtime evidence");
        if (Blank(form.Image) is { } image && !RuntimeImageName.TryParse(image, out _))
            throw new ArgumentException($"'{image}' is not an image reference (repository:tag, repository@sha256:… or sha256:…)");
        InventoryCoverage? coverage = null;
        if (Blank(form.Coverage) is { } scope && !InventoryCoverage.TryParse(scope, out coverage, out var error))
            throw new ArgumentException(error);
        var options = new RuntimeIngestOptions
        {
            Cluster = Blank(form.Cluster),
            Coverage = coverage,
            Image = Blank(form.Image),
            SlimCompleteness = form.Partial ? ProfileCompleteness.Partial : null,
            Source = Blank(form.Source),
            ImportedBy = user.Name,
            MaxBytes = MaxBytes,
            AuditChannel = AuditChannels.Web,
        };
        var name = Path.GetFileName(file.Name);
        await using var stream = FileUploadRunner.Open(file, MaxBytes, progress, "file", ct);
        try
        {
            var summary = await runtime.IngestAsync(stream, name, options, ct);
            await audit.RecordAsync(user, AuditActions.ReportImported, "runtime-evidence", name, Details(name, summary));
            return summary;
        }
        catch (Exception e) when (e is ReportFormatException or ArgumentException)
        {
            await audit.RecordAsync(user, AuditActions.ReportRejected, "runtime-evidence", name, e.Message, succeeded: false);
            // The service names the CLI flag; on this page the field of the same name is meant.
            if (e is ArgumentException) throw new ArgumentException(e.Message.Replace("pass --image REF", "fill in Image", StringComparison.Ordinal)
                .Replace("--image", "Image", StringComparison.Ordinal), e);
            throw;
        }
    }

    public async Task<EnrichmentSummary> EnrichAsync(IBrowserFile file, UserAccess user, IProgress<long>? progress, CancellationToken ct)
    {
        if (!user.CanTriage) throw new UnauthorizedAccessException("only triagers and admins import KEV and EPSS data");
        var name = Path.GetFileName(file.Name);
        await using var stream = FileUploadRunner.Open(file, MaxBytes, progress, "file", ct);
        try
        {
            var options = new EnrichmentImportOptions { ImportedBy = user.Name, MaxBytes = MaxBytes, MaxDecompressedBytes = RuntimeServices.MaxDecompressedBytes(config) };
            var summary = await enrichment.ImportAsync(stream, name, options, ct);
            await audit.RecordAsync(user, AuditActions.ReportImported, "enrichment", name, Details(name, summary));
            return summary;
        }
        catch (Exception e) when (e is ReportFormatException or ArgumentException)
        {
            await audit.RecordAsync(user, AuditActions.ReportRejected, "enrichment", name, e.Message, succeeded: false);
            throw;
        }
    }

    /// <summary>The audit entry's details for an ingest, the same from this page and from the API.</summary>
    internal static string Details(string name, RuntimeIngestSummary summary) =>
        $"{name}: {summary.Kind}" + (summary.Duplicate ? ", same bytes and options ingested before" : "");

    /// <summary>The audit entry's details for a KEV or EPSS import, the same from this page and from the API.</summary>
    internal static string Details(string name, EnrichmentSummary summary) =>
        $"{name}: {summary.Feed} {summary.DataDate:yyyy-MM-dd}, {summary.Rows} rows" + (summary.Duplicate ? ", same bytes imported before" : "");

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
