using Microsoft.AspNetCore.Components;
using MudBlazor;
using Triage.Data.Queries;

namespace Triage.Web.Features.Findings;

/// <summary>Renders a page of findings; the page passes <see cref="Load"/>, which pages and sorts in SQL.</summary>
public partial class FindingsGrid
{
    [Inject] private ILogger<FindingsGrid> Log { get; set; } = default!;

    [Parameter, EditorRequired] public FindingsQuery Query { get; set; } = new();
    [Parameter, EditorRequired] public Func<FindingsQuery, CancellationToken, Task<(IReadOnlyList<FindingRow> Rows, int Total)>> Load { get; set; } = default!;

    /// <summary>Rows can be selected for a bulk decision (triagers).</summary>
    [Parameter] public bool Selectable { get; set; }
    [Parameter] public EventCallback<IReadOnlyList<FindingRow>> SelectionChanged { get; set; }

    private MudDataGrid<FindingRow>? _grid;

    private HashSet<FindingRow> _selection = [];

    private Task OnSelectedChanged(HashSet<FindingRow> rows)
    {
        _selection = rows;
        return SelectionChanged.InvokeAsync(rows.ToList());
    }

    /// <summary>Clears the selection (after a bulk decision).</summary>
    public async Task ClearSelectionAsync()
    {
        _selection = [];
        StateHasChanged();
        await SelectionChanged.InvokeAsync([]);
    }
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

    /// <summary>The signals behind the priority in a few words: KEV, runtime verdict, running.</summary>
    private static string Signals(Triage.Data.Runtime.FindingRiskView r)
    {
        var parts = new List<string>();
        if (r.Kev.Listed) parts.Add("KEV");
        if (r.Reachability.Verdict != Triage.Core.Runtime.Verdicts.ReachabilityVerdict.Unknown)
            parts.Add(Triage.Core.Runtime.Verdicts.VerdictNames.ToWire(r.Reachability.Verdict).Replace('_', ' '));
        if (r.Runtime.Running == true) parts.Add("running");
        return string.Join(" · ", parts);
    }

    private SortDirection Initial(FindingSort sort) =>
        _initial.Sort == sort ? (_initial.Descending ? SortDirection.Descending : SortDirection.Ascending) : SortDirection.None;

    private async Task<GridData<FindingRow>> ServerDataAsync(GridState<FindingRow> state, CancellationToken ct)
    {
        var sort = state.SortDefinitions.OrderBy(s => s.Index).FirstOrDefault();
        // The grid's page and sort, on top of the filter the page holds now.
        var q = _query with
        {
            Page = state.Page + 1,
            PageSize = state.PageSize,
            Sort = FindingRow.SortOf(sort?.SortBy) ?? FindingsQuery.DefaultSort,
            Descending = sort?.Descending ?? true,
        };
        try
        {
            _error = null;
            var (rows, total) = await Load(q, ct);
            return new GridData<FindingRow> { Items = rows, TotalItems = total };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogError(e, "Loading findings failed");
            _error = Components.Shared.ErrorText.Describe(e);
            return new GridData<FindingRow> { Items = [], TotalItems = 0 };
        }
    }
}
