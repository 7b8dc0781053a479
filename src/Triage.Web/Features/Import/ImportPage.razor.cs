using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Triage.Core.Ingest;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Import;

/// <summary>Drag and drop imports: one file after another (the database takes one import at a time), each with its own
/// progress and result.</summary>
public partial class ImportPage : IDisposable
{
    [Inject] private BrowserImport Importer { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private ILogger<ImportPage> Log { get; set; } = default!;

    private bool _dragging;
    private readonly List<ImportItem> _items = [];
    private readonly CancellationTokenSource _cts = new();
    private string? _image;

    private string Limit => CaptureStream.FormatBytes(Importer.MaxBytes);
    private string DropClass => "pa-4 border-2 border-dashed " + (_dragging ? "mud-border-primary mud-primary-hover" : "mud-border-lines-default");

    private async Task OnFilesChangedAsync(InputFileChangeEventArgs e)
    {
        var files = e.GetMultipleFiles(50);
        var batch = files.Select(f => new ImportItem(f.Name, f.Size)).ToList();
        _items.InsertRange(0, batch);
        var user = await Access.CurrentAsync(_cts.Token);
        for (var i = 0; i < files.Count; i++)
        {
            var item = batch[i];
            item.State = ImportState.Running;
            StateHasChanged();
            var lastShown = 0L;
            var progress = new Progress<long>(read =>
            {
                item.BytesRead = read;
                // Redraw at most every 2% so a large report does not flood the circuit.
                if (item.Size > 0 && (read - lastShown) * 50 < item.Size) return;
                lastShown = read;
                _ = InvokeAsync(StateHasChanged);
            });
            try
            {
                item.Summary = await Importer.ImportAsync(files[i], _image, user, progress, _cts.Token);
                item.State = item.Summary.Duplicate ? ImportState.Duplicate : ImportState.Done;
            }
            catch (ReportFormatException ex)
            {
                item.State = ImportState.Failed;
                item.Error = ex.Describe();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                           or Microsoft.JSInterop.JSException or System.Data.Common.DbException
                                           or Microsoft.EntityFrameworkCore.DbUpdateException
                                           || ex is OperationCanceledException && !_cts.IsCancellationRequested)
            {
                Log.LogWarning(ex, "Import of {File} failed", item.FileName);
                item.State = ImportState.Failed;
                item.Error = ex is IOException or Microsoft.JSInterop.JSException
                    ? "the browser stopped sending the file (was the page closed or the file changed?)"
                    : Components.Shared.ErrorText.Describe(ex);
            }
            StateHasChanged();
        }
    }

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
    }
}

public enum ImportState
{
    Waiting,
    Running,
    Done,
    Duplicate,
    Failed,
}

/// <summary>One file of the Import page and what became of it.</summary>
public sealed class ImportItem(string fileName, long size)
{
    public string FileName { get; } = fileName;
    public long Size { get; } = size;
    public long BytesRead { get; set; }
    public ImportState State { get; set; } = ImportState.Waiting;
    public Triage.Data.Import.ImportSummary? Summary { get; set; }
    public string? Error { get; set; }

    public double Percent => Size <= 0 ? 0 : Math.Min(100, 100.0 * BytesRead / Size);
}
