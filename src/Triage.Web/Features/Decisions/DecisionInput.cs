using Triage.Core.Domain;

namespace Triage.Web.Features.Decisions;

/// <summary>What a person chose in a decision form or with a session shortcut.</summary>
public sealed record DecisionInput(DecisionStatus Status, string? Justification)
{
    /// <summary>"vex_justification: note", or either alone.</summary>
    public static string? Combine(string? vexJustification, string? note)
    {
        var j = string.IsNullOrWhiteSpace(vexJustification) ? null : vexJustification.Trim();
        var n = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        return (j, n) switch
        {
            (null, null) => null,
            (not null, null) => j,
            (null, not null) => n,
            _ => $"{j}: {n}",
        };
    }
}
