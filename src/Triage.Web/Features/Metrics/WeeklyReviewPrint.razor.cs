using Microsoft.AspNetCore.Components;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>The weekly review rendered once on the server for printing (no circuit): same query string as the page.</summary>
public partial class WeeklyReviewPrint
{
    [Inject] private MetricsReader Reader { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private MetricsSettings Settings { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "team")] public string? Team { get; set; }
    [SupplyParameterFromQuery(Name = "repository")] public string? Repository { get; set; }
    [SupplyParameterFromQuery(Name = "weeks")] public int? Weeks { get; set; }
    [SupplyParameterFromQuery(Name = "week")] public string? Week { get; set; }

    private WeeklyReport? _report;
    private string? _error;

    protected override async Task OnInitializedAsync()
    {
        var user = await Access.CurrentAsync();
        var result = await Reader.WeeklyAsync(user, string.IsNullOrEmpty(Team) ? null : Team,
            string.IsNullOrEmpty(Repository) ? null : Repository, Weeks, Week);
        _report = result.Value;
        _error = result.Message;
    }
}
