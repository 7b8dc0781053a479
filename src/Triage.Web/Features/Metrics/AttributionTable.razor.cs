using Microsoft.AspNetCore.Components;
using Triage.Core.Metrics;

namespace Triage.Web.Features.Metrics;

public partial class AttributionTable
{
    [Parameter, EditorRequired] public AttributionCounts Counts { get; set; }
    [Parameter] public string BeforeLabel { get; set; } = "Open before";
    [Parameter] public string AfterLabel { get; set; } = "Open after";
    [Parameter] public string? Id { get; set; }

    /// <summary>One row per cause of the equation, signed by its effect on the open count; nets show their two parts.</summary>
    public sealed record CauseRow(string Key, string Label, int Effect, string? Detail);

    private IReadOnlyList<CauseRow> Rows => RowsOf(Counts);

    public static IReadOnlyList<CauseRow> RowsOf(AttributionCounts c) =>
    [
        new("removedWithPackage", "Removed with the package", -c.RemovedWithPackage, null),
        new("fixedByUpgrade", "Fixed by an upgrade", -c.FixedByUpgrade, null),
        new("suppressedByDecision", "Suppressed by a VEX decision", -c.SuppressedByDecision,
            c.Lifted > 0 ? $"{c.Suppressed} suppressed, {c.Lifted} no longer" : null),
        new("newlyDisclosed", "Newly disclosed in an unchanged package", c.NewlyDisclosed,
            c.Withdrawn > 0 ? $"{c.Disclosed} disclosed, {c.Withdrawn} no longer reported" : null),
        new("introducedByPackage", "Introduced by a new or changed package", c.IntroducedByPackage, null),
    ];
}
