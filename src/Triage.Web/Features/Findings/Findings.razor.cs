using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using MudBlazor;
using Triage.Core.Domain;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Features.Decisions;
using Triage.Web.Features.Sessions;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Findings;

/// <summary>The findings grid. The URL holds the whole state (filter, grouping, sort, page), so a link shows the same view.</summary>
public partial class Findings
{
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private IDecisionStore Decisions { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private SessionService Sessions { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    private FindingsQuery _query = new();
    private IReadOnlyList<Team> _teams = [];
    /// <summary>The teams whose images this person may decide on across the team: all for an admin, else their own.</summary>
    private IReadOnlyList<Team> _decisionTeams = [];
    private bool _isAdmin;
    private FindingsGrid? _grid;
    private FindingGroupsGrid? _groups;
    private bool _empty;
    private bool _canTriage;
    private IReadOnlyList<FindingRow> _selected = [];

    protected override async Task OnInitializedAsync()
    {
        _query = FindingsQuery.Parse(new Uri(Navigation.Uri).Query);
        Navigation.LocationChanged += OnLocationChanged;
        await using var db = await Db.CreateDbContextAsync();
        _teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).ToListAsync();
        var user = await Access.CurrentAsync();
        _canTriage = user.CanTriage;
        _isAdmin = user.IsAdmin;
        _decisionTeams = user.IsAdmin ? _teams : _teams.Where(t => user.TeamIds.Contains(t.Id)).ToList();
    }

    /// <summary>One decision for the selected findings (or their vulnerability across a team), previewed first.</summary>
    private async Task DecideSelectedAsync()
    {
        var parameters = new DialogParameters<BulkDecisionDialog>
        {
            { d => d.FindingIds, _selected.Select(r => r.Id).ToList() },
            { d => d.Vulnerabilities, _selected.Select(r => r.Vulnerability).Distinct().ToList() },
            { d => d.Teams, _decisionTeams },
            { d => d.GlobalAvailable, _isAdmin },
        };
        var dialog = await Dialogs.ShowAsync<BulkDecisionDialog>("Decide selected findings", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        var result = await dialog.Result;
        if (result is null || result.Canceled) return;
        Snackbar.Add($"Decision recorded: in force for {result.Data} finding(s).", MudBlazor.Severity.Success);
        if (_grid is not null) await _grid.ClearSelectionAsync();
        await ReloadAsync();
    }

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        var uri = new Uri(e.Location);
        if (!uri.AbsolutePath.Equals("/findings", StringComparison.OrdinalIgnoreCase)) return;
        var q = FindingsQuery.Parse(uri.Query);
        if (q == _query) return;
        _ = InvokeAsync(async () =>
        {
            var regroup = q.Group != _query.Group;
            _query = q;
            StateHasChanged();
            if (!regroup) await ReloadAsync();
        });
    }

    private async Task OnFilterChangedAsync(FindingsQuery q)
    {
        var regroup = q.Group != _query.Group;
        _query = q with { Page = 1 };
        Navigation.NavigateTo(Url(_query), replace: false);
        if (!regroup) await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        if (_grid is not null) await _grid.ReloadAsync(_query);
        if (_groups is not null) await _groups.ReloadAsync(_query);
    }

    /// <summary>One page of findings for the grid: counted and paged in SQL, evidence loaded for the page only.</summary>
    private async Task<(IReadOnlyList<FindingRow> Rows, int Total)> LoadFindingsAsync(FindingsQuery q, CancellationToken ct)
    {
        SyncUrl(q);
        var user = await Access.CurrentAsync(ct);
        await using var db = await Db.CreateDbContextAsync(ct);
        var filtered = q.Apply(db, user, Decisions);
        var total = await CountAsync(q, db, user, ct);
        var page = FindingQueries.Sort(filtered, db, q.Sort, q.Descending).Skip((q.Page - 1) * q.PageSize).Take(q.PageSize);
        var views = await FindingQueries.ToViewsAsync(db, page, ct);
        var decided = await Decisions.CurrentAsync(views.Select(v => v.Id).ToList(), ct);
        SetEmpty(total == 0 && !q.HasFilter);
        return (views.Select(v => new FindingRow(v, decided.GetValueOrDefault(v.Id))).ToList(), total);
    }

    /// <summary>Paging and sorting reuse the total of the same filter for a short while: counting half a million rows
    /// on every page turn would double the cost of paging.</summary>
    private async Task<int> CountAsync(FindingsQuery q, TriageDbContext db, UserAccess user, CancellationToken ct)
    {
        var key = q.FilterOnly().ToQueryString();
        if (_count is { } c && c.Key == key && DateTime.UtcNow - c.At < CountReuse) return c.Total;
        var total = await q.CountAsync(db, user, Decisions, ct);
        _count = (key, total, DateTime.UtcNow);
        return total;
    }

    private static readonly TimeSpan CountReuse = TimeSpan.FromSeconds(30);
    private (string Key, int Total, DateTime At)? _count;

    private async Task<(IReadOnlyList<FindingGroupRow> Rows, int Total)> LoadGroupsAsync(FindingsQuery q, CancellationToken ct)
    {
        SyncUrl(q);
        var user = await Access.CurrentAsync(ct);
        await using var db = await Db.CreateDbContextAsync(ct);
        var result = await q.GroupsAsync(db, user, Decisions, (q.Page - 1) * q.PageSize, q.PageSize, ct);
        SetEmpty(result.Total == 0 && !q.HasFilter);
        return (result.Rows, result.Total);
    }

    private void SetEmpty(bool empty)
    {
        if (_empty == empty) return;
        _empty = empty;
        _ = InvokeAsync(StateHasChanged);
    }

    /// <summary>The grid changed page or sort: the URL follows, without a new history entry.</summary>
    private void SyncUrl(FindingsQuery q)
    {
        if (q == _query) return;
        _query = q;
        Navigation.NavigateTo(Url(q), replace: true);
    }

    private static string Url(FindingsQuery q) => q.ToQueryString() is { Length: > 0 } s ? $"/findings?{s}" : "/findings";

    private async Task CopyLinkAsync()
    {
        try
        {
            await JS.InvokeVoidAsync("triage.copy", Navigation.ToAbsoluteUri(Url(_query)).ToString());
            Snackbar.Add("Link to this view copied", MudBlazor.Severity.Success);
        }
        catch (JSException)
        {
            Snackbar.Add("The browser did not allow copying: copy the address bar instead.", MudBlazor.Severity.Warning);
        }
    }

    private async Task SaveQueueAsync()
    {
        var dialog = await Dialogs.ShowAsync<SaveQueueDialog>("Save as queue", new DialogParameters<SaveQueueDialog> { { d => d.Query, _query } });
        var result = await dialog.Result;
        if (result is null || result.Canceled || result.Data is not string name) return;
        try
        {
            var user = await Access.CurrentAsync();
            await Sessions.SaveFilterAsync(name, _query, user);
            Snackbar.Add($"Saved queue \"{name}\": pick it when you start a session.", MudBlazor.Severity.Success);
        }
        catch (Exception e) when (e is ArgumentException or DbUpdateException)
        {
            Snackbar.Add($"Not saved: {Components.Shared.ErrorText.Describe(e)}", MudBlazor.Severity.Error);
        }
    }

    public void Dispose() => Navigation.LocationChanged -= OnLocationChanged;
}
