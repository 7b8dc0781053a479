using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Ingest;
using Triage.Web.Components.Shared;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Import;

/// <summary>Drag and drop imports: one file after another (the database takes one import at a time), each with its own
/// progress and result.</summary>
public partial class ImportPage : IDisposable
{
    [Inject] private BrowserImport Importer { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private ILogger<ImportPage> Log { get; set; } = default!;

    private readonly List<ImportItem> _items = [];
    private readonly CancellationTokenSource _cts = new();
    private string? _image;

    private string Limit => CaptureStream.FormatBytes(Importer.MaxBytes);

    private async Task OnFilesChangedAsync(InputFileChangeEventArgs e)
    {
        var files = e.GetMultipleFiles(UploadDropZone.MaxFiles);
        var batch = files.Select(f => new ImportItem(f.Name, f.Size)).ToList();
        _items.InsertRange(0, batch);
        var user = await Access.CurrentAsync(_cts.Token);
        await FileUploadRunner.RunAsync(files, batch, async (file, item, progress) =>
        {
            item.Summary = await Importer.ImportAsync(file, _image, user, progress, _cts.Token);
            return item.Summary.Duplicate;
        }, () => InvokeAsync(StateHasChanged), Log, _cts.Token);
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}

/// <summary>One report of the Import page and what became of it.</summary>
public sealed class ImportItem(string fileName, long size) : UploadItem(fileName, size)
{
    public Triage.Data.Import.ImportSummary? Summary { get; set; }
}
