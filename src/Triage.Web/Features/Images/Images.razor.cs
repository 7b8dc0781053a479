using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Triage.Data;
using Triage.Data.Queries;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Images;

/// <summary>Repositories the reader may see, with their digests, tags and open findings; counted for the shown page only.</summary>
public partial class Images
{
    [Inject] private IDbContextFactory<TriageDbContext> Db { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;

    private MudDataGrid<RepositoryRow>? _grid;
    private string? _search;

    private Task ReloadAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private async Task<GridData<RepositoryRow>> LoadAsync(GridState<RepositoryRow> state, CancellationToken ct)
    {
        var user = await Access.CurrentAsync(ct);
        await using var db = await Db.CreateDbContextAsync(ct);
        var (rows, total) = await ImageQueries.RepositoriesAsync(db, user.VisibleRepositoryIds(db), _search, null, state.Page * state.PageSize, state.PageSize, ct);
        return new GridData<RepositoryRow> { Items = rows, TotalItems = total };
    }

    internal static string? Short(string? digest) => digest is { Length: > 19 } d ? d[..19] + "…" : digest;
}
