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

    public Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private string DrillDown(FindingGroupRow g)
    {
        var q = Query.Group == FindingGrouping.Vulnerability
            ? Query with { Group = FindingGrouping.None, Vulnerability = g.Key, Page = 1 }
            : Query with { Group = FindingGrouping.None, Package = g.Key, Page = 1 };
        return $"/findings?{q.ToQueryString()}";
    }

    private async Task<GridData<FindingGroupRow>> ServerDataAsync(GridState<FindingGroupRow> state, CancellationToken ct)
    {
        try
        {
            _error = null;
            var (rows, total) = await Load(Query with { Page = state.Page + 1, PageSize = state.PageSize }, ct);
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
