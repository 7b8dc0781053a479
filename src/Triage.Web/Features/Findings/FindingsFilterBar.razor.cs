using Microsoft.AspNetCore.Components;
using Triage.Core.Domain;

namespace Triage.Web.Features.Findings;

/// <summary>The filter controls. Each change raises <see cref="QueryChanged"/> with the whole new query.</summary>
public partial class FindingsFilterBar
{
    private static readonly Severity[] AllSeverities = [Severity.Critical, Severity.High, Severity.Medium, Severity.Low, Severity.Unknown];

    [Parameter, EditorRequired] public FindingsQuery Query { get; set; } = new();
    [Parameter] public IReadOnlyList<Team> Teams { get; set; } = [];
    [Parameter] public EventCallback<FindingsQuery> QueryChanged { get; set; }

    private const string ImagePlaceholder = "repository[:tag|@digest]";

    private IReadOnlyCollection<Severity> _severities = [];

    protected override void OnParametersSet() => _severities = Query.Severities.ToHashSet();

    private string FixWord => Query.FixAvailable switch { true => "yes", false => "no", null => "any" };

    private Task OnSeveritiesChanged(IEnumerable<Severity>? values)
    {
        var list = (values ?? []).Distinct().OrderDescending().ToList();
        return list.SequenceEqual(Query.Severities) ? Task.CompletedTask : ChangeAsync(Query with { Severities = list });
    }

    private Task OnFixChanged(string value) => ChangeAsync(Query with { FixAvailable = value switch { "yes" => true, "no" => false, _ => null } });

    private Task ChangeAsync(FindingsQuery q) => q == Query ? Task.CompletedTask : QueryChanged.InvokeAsync(q with { Page = 1 });

    private static string? Blank(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();

    private string TeamName(long? id) => id is null ? "any" : Teams.FirstOrDefault(t => t.Id == id)?.Name ?? $"team {id}";

    private static string GroupLabel(FindingGrouping g) => g switch
    {
        FindingGrouping.None => "no grouping",
        FindingGrouping.Vulnerability => "vulnerability",
        FindingGrouping.SourcePackage => "source package",
    };
}
