using Microsoft.AspNetCore.Components;
using Triage.Data.Metrics;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Metrics;

/// <summary>The weekly review: loads the report for the reader's scope (from the query string) and hands it to the sections.</summary>
public partial class WeeklyReview
{
    public static readonly int[] WeekChoices = [4, 8, 12, 26, 52];

    /// <summary>The scope select's value for "every repository I may see" (a select shows no text for an empty value).</summary>
    private const string AllScope = "all";

    [Inject] private MetricsReader Reader { get; set; } = default!;
    [Inject] private UserAccessService Access { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private MetricsSettings Settings { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "team")] public string? Team { get; set; }
    /// <summary>One repository's weeks instead of a team's (the lineage page and the changes table link here).</summary>
    [SupplyParameterFromQuery(Name = "repository")] public string? Repository { get; set; }
    [SupplyParameterFromQuery(Name = "weeks")] public int? WeeksQuery { get; set; }
    [SupplyParameterFromQuery(Name = "week")] public string? WeekQuery { get; set; }

    private WeeklyReport? _report;
    private string? _error;
    private IReadOnlyList<(long Id, string Name)> _teams = [];
    private string _allLabel = "All repositories";

    private int Weeks => WeeksQuery ?? MetricsReader.DefaultWeeks;
    private string SelectedWeek => _report?.Week.ToString() ?? "";

    protected override async Task OnParametersSetAsync()
    {
        var user = await Access.CurrentAsync();
        _allLabel = user.IsAdmin ? "All repositories" : "My teams and unowned";
        _teams = await Reader.TeamsAsync(user);
        _report = null;
        _error = null;
        var result = await Reader.WeeklyAsync(user, string.IsNullOrEmpty(Team) ? null : Team,
            string.IsNullOrEmpty(Repository) ? null : Repository, Weeks, WeekQuery);
        _report = result.Value;
        _error = result.Message;
    }

    private Task OnTeamChangedAsync(string team) => GoAsync(team == AllScope ? null : team, null, Weeks, null);
    private Task OnWeeksChangedAsync(int weeks) => GoAsync(Team, Repository, weeks, WeekQuery);
    private Task OnWeekChangedAsync(string week) => GoAsync(Team, Repository, Weeks, week);
    private Task ClearRepositoryAsync() => GoAsync(Team, null, Weeks, WeekQuery);

    private Task GoAsync(string? team, string? repository, int weeks, string? week)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["team"] = string.IsNullOrEmpty(team) ? null : team,
            ["repository"] = string.IsNullOrEmpty(repository) ? null : repository,
            ["weeks"] = weeks == MetricsReader.DefaultWeeks ? null : weeks,
            ["week"] = week,
        }));
        return Task.CompletedTask;
    }

    private string Query => string.Join('&', new[]
    {
        string.IsNullOrEmpty(Team) ? null : $"team={Uri.EscapeDataString(Team)}",
        string.IsNullOrEmpty(Repository) ? null : $"repository={Uri.EscapeDataString(Repository)}",
        $"weeks={Weeks}",
        _report is null ? null : $"week={_report.Week}",
    }.Where(p => p is not null));

    private string ExportHref(string format) => $"/metrics/weekly.{format}?{Query}";
    private string PrintHref => $"/metrics/print?{Query}";
}
