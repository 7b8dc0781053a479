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
        // Only what the user's teams may see: the sessions over their images, the queues naming them (ADR 107).
        var user = await Access.CurrentAsync();
        var query = new Uri(Navigation.Uri).Query;
        if (query.Length > 1)
        {
            var initial = FindingsQuery.Parse(query).FilterOnly();
            // A link naming another team or its image is not offered (starting from it would be refused anyway).
            if (await Service.MayQueueAsync(initial, user)) _initialQuery = initial;
        }
        _saved = await Service.SavedFiltersAsync(user);
        _sessions = await Service.ListAsync(user);
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
