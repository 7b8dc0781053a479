using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Triage.Core.Ingest;
using Triage.Data;
using Triage.Data.Runtime;
using Triage.Web.Components.Shared;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Runtime;

/// <summary>
/// Runtime evidence and KEV/EPSS from the browser, as `triage runtime ingest` and `triage enrich` take them from files:
/// one file after another with its own progress and result, then the data in use and the scheduled downloads.
/// </summary>
public partial class RuntimePage : IDisposable
{
    [Inject] private BrowserRuntimeImport Importer { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private EnrichmentDownloadOptions Schedule { get; set; } = default!;
    [Inject] private ILogger<RuntimePage> Log { get; set; } = default!;

    private readonly List<RuntimeUploadItem> _evidence = [];
    private readonly List<EnrichmentUploadItem> _enrichment = [];
    private readonly CancellationTokenSource _cts = new();
    private EnrichmentOverview? _overview;
    private string? _cluster;
    private string? _coverage;
    private string? _image;
    private string? _source;
    private bool _partial;

    private string Limit => CaptureStream.FormatBytes(Importer.MaxBytes);

    protected override Task OnInitializedAsync() => LoadOverviewAsync();

    private async Task LoadOverviewAsync()
    {
        await using var db = await Db.CreateDbContextAsync(_cts.Token);
        _overview = await EnrichmentSchedule.OverviewAsync(db, _cts.Token);
    }

    private async Task OnEvidenceAsync(InputFileChangeEventArgs e)
    {
        var files = e.GetMultipleFiles(UploadDropZone.MaxFiles);
        var batch = files.Select(f => new RuntimeUploadItem(f.Name, f.Size)).ToList();
        _evidence.InsertRange(0, batch);
        // The form as it was when the files were dropped applies to all of them.
        var form = new RuntimeUploadForm(_cluster, _image, _partial, _source, _coverage);
        var user = await Access.CurrentAsync(_cts.Token);
        await FileUploadRunner.RunAsync(files, batch, async (file, item, progress) =>
        {
            item.Summary = await Importer.IngestAsync(file, form, user, progress, _cts.Token);
            return item.Summary.Duplicate;
        }, () => InvokeAsync(StateHasChanged), Log, _cts.Token);
    }

    private async Task OnEnrichmentAsync(InputFileChangeEventArgs e)
    {
        var files = e.GetMultipleFiles(UploadDropZone.MaxFiles);
        var batch = files.Select(f => new EnrichmentUploadItem(f.Name, f.Size)).ToList();
        _enrichment.InsertRange(0, batch);
        var user = await Access.CurrentAsync(_cts.Token);
        await FileUploadRunner.RunAsync(files, batch, async (file, item, progress) =>
        {
            item.Summary = await Importer.EnrichAsync(file, user, progress, _cts.Token);
            return item.Summary.Duplicate;
        }, () => InvokeAsync(StateHasChanged), Log, _cts.Token);
        await LoadOverviewAsync();
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}

/// <summary>One runtime-evidence file of the Runtime page and what became of it.</summary>
public sealed class RuntimeUploadItem(string fileName, long size) : UploadItem(fileName, size)
{
    public RuntimeIngestSummary? Summary { get; set; }
}

/// <summary>One KEV or EPSS file of the Runtime page and what became of it.</summary>
public sealed class EnrichmentUploadItem(string fileName, long size) : UploadItem(fileName, size)
{
    public EnrichmentSummary? Summary { get; set; }
}
