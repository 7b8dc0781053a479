using Triage.Core.Domain;
using Triage.Data.Queries;
using Triage.Web.Features.Decisions;

namespace Triage.Web.Features.Findings;

/// <summary>One grid row: the finding with its current decision. Sortable columns are properties named like the sort.</summary>
public sealed record FindingRow(FindingView View, DecisionRecord? Decision)
{
    public long Id => View.Id;
    public Severity Severity => View.Severity;
    public string Vulnerability => View.Vulnerability.Id;
    public string Package => View.Package.Name;
    public string Image => View.Image;
    public DateTime FirstSeen => View.FirstSeen;
    /// <summary>Sorts by the stored rank (score, priority, KEV, EPSS, impact); unscored findings have none.</summary>
    public Triage.Core.Ranking.SsvcPriority? Priority => View.Risk?.Priority;

    /// <summary>The grid's column name (PropertyColumn's property) → the query's sort.</summary>
    public static FindingSort? SortOf(string? column) => column switch
    {
        nameof(Severity) => FindingSort.Severity,
        nameof(Vulnerability) => FindingSort.Vulnerability,
        nameof(Package) => FindingSort.Package,
        nameof(Image) => FindingSort.Image,
        nameof(FirstSeen) => FindingSort.FirstSeen,
        nameof(Priority) => FindingSort.Priority,
        _ => null,
    };
}
