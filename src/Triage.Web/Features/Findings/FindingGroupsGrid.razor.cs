using Microsoft.AspNetCore.Components;
using MudBlazor;
using Triage.Data.Queries;

namespace Triage.Web.Features.Findings;

/// <summary>Findings grouped by vulnerability or source package; a group links to its findings.</summary>
public partial class FindingGroupsGrid
{
    [Inject] private ILogger<FindingGroupsGrid> Log { get; set; } = default!;

    [Parameter, EditorRequired] public FindingsQuery Query { get; set; } = new();
    [Parameter, EditorRequired] public Func<FindingsQuery, CancellationToken, Task<(IReadOnlyList<FindingGroupRow> Rows, int Total)>> Load { get; set; } = default!;

    private MudDataGrid<FindingGroupRow>? _grid;
    private FindingsQuery _initial = new();
    private string? _error;

    protected override void OnInitialized() => _initial = Query;

    private FindingsQuery _query = new();

    protected override void OnParametersSet() => _query = Query;

    /// <summary>Shows <paramref name="query"/> from its first page (the page calls this before it re-renders with the new query).</summary>
    public async Task ReloadAsync(FindingsQuery query)
    {
        _query = query;
        if (_grid is null) return;
        if (_grid.CurrentPage != 0) _grid.NavigateTo(Page.First);
        else await _grid.ReloadServerData();
    }

    private string DrillDown(FindingGroupRow g)
    {
        var q = _query.Group == FindingGrouping.Vulnerability
            ? _query with { Group = FindingGrouping.None, Vulnerability = g.Key, Page = 1 }
              : _query with { Group = FindingGrouping.None, Package = g.Key, Page = 1 };
        return $"/findings?{q.ToQueryString()}";
    }

    private async Task<GridData<FindingGroupRow>> ServerDataAsync(GridState<FindingGroupRow> state, CancellationToken ct)
    {
        try
        {
            _error = null;
            var (rows, total) = await Load(_query with { Page = state.Page + 1, PageSize = state.PageSize }, ct);
            return new GridData<FindingGroupRow> { Items = rows, TotalItems = total };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogError(e, "Loading finding groups failed");
            _error = Components.Shared.ErrorText.Describe(e);
            return new GridData<FindingGroupRow> { Items = [], TotalItems = 0 };
        }
    }
}
