using Microsoft.AspNetCore.Components;
using Triage.Core.Domain;
using Triage.Web.Features.Findings;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Sessions;

public partial class Sessions
{
    [Inject] private SessionService Service { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    private List<SessionListItem>? _sessions;
    private List<SavedFilter> _saved = [];
    private FindingsQuery? _initialQuery;
    private string? _error;

    protected override async Task OnInitializedAsync()
    {
        var query = new Uri(Navigation.Uri).Query;
        if (query.Length > 1) _initialQuery = FindingsQuery.Parse(query).FilterOnly();
        _saved = await Service.SavedFiltersAsync();
        _sessions = await Service.ListAsync();
    }

    private async Task StartAsync(NewSession request)
    {
        try
        {
            _error = null;
            var user = await Access.CurrentAsync();
            var id = await Service.StartAsync(request.Name, FindingsQuery.Parse(request.Query), user);
            Navigation.NavigateTo($"/sessions/{id}");
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            _error = Components.Shared.ErrorText.Describe(e);
        }
    }
}

public sealed record NewSession(string Name, string Query);
