using Microsoft.AspNetCore.Components;
using Triage.Core.Demo;
using Triage.Core.Ingest;
using Triage.Data.Import;

namespace Triage.Web.Features.Dashboard;

public partial class DemoDataButton
{
    [Inject] private ReportImporter Importer { get; set; } = default!;

    /// <summary>Only people who may import see the button.</summary>
    [Parameter] public bool CanLoad { get; set; }

    /// <summary>The acting user, recorded on the demo scans.</summary>
    [Parameter] public string? UserName { get; set; }

    [Parameter] public EventCallback Loaded { get; set; }

    private bool _loading;
    private int _done;
    private int _total;
    private string? _error;

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        var reports = DemoDataset.Reports();
        _total = reports.Count;
        _done = 0;
        try
        {
            foreach (var report in reports)
            {
                using var stream = new MemoryStream(report.Json, writable: false);
                await Importer.ImportAsync(stream, report.FileName, new ImportOptions { ImportedBy = UserName ?? "demo" });
                _done++;
                StateHasChanged();
            }
            await Loaded.InvokeAsync();
        }
        catch (ReportFormatException e)
        {
            _error = $"The demo dataset could not be loaded: {e.Describe()}";
        }
        finally
        {
            _loading = false;
        }
    }
}
