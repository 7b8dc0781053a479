using Triage.Core.Domain;
using Triage.Core.Vex;
using Triage.Web.Infrastructure.Access;

namespace Triage.Web.Features.Decisions;

/// <summary>What a person chose in a decision form or with a session shortcut: a VEX statement's fields.</summary>
public sealed record DecisionInput(DecisionStatus Status)
{
    public DecisionScopeKind Scope { get; init; } = DecisionScopeKind.Digest;
    public VexJustification? Justification { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Notes { get; init; }

    /// <summary>One line: "justification: statement" (a proposal's note, a summary).</summary>
    public string? Summary => Combine(Justification?.ToWire(), ImpactStatement ?? ActionStatement ?? Notes);

    /// <summary>The decision as <paramref name="author"/> makes it: their name and id, and the images they may decide on.</summary>
    public FindingDecision ToDecision(IReadOnlyList<long> findingIds, long? sessionId, UserAccess author,
        IReadOnlyDictionary<long, long?>? seen = null) => new()
    {
        FindingIds = findingIds,
        SessionId = sessionId,
        Status = Status,
        Scope = Scope,
        Justification = Justification,
        ImpactStatement = ImpactStatement,
        ActionStatement = ActionStatement,
        ExpiresAt = ExpiresAt,
        Notes = Notes,
        AuthorId = author.UserId,
        AuthorName = author.Name,
        AuthorSees = author.Images,
        Seen = seen,
    };

    /// <summary>"a: b", or either alone.</summary>
    public static string? Combine(string? a, string? b)
    {
        var x = string.IsNullOrWhiteSpace(a) ? null : a.Trim();
        var y = string.IsNullOrWhiteSpace(b) ? null : b.Trim();
        return (x, y) switch
        {
            (null, null) => null,
            (not null, null) => x,
            (null, not null) => y,
            _ => $"{x}: {y}",
        };
    }
}

/// <summary>
/// The state of a decision form (finding panel, session dialog, bulk dialog) and its rules, which are VEX's:
/// not_affected needs a justification or an impact statement, affected needs an action statement. A suggestion from
/// evidence is shown and can be taken with one click; it is never applied by itself.
/// </summary>
public sealed class DecisionFormModel
{
    public DecisionStatus? Status { get; set; }
    public DecisionScopeKind Scope { get; set; } = DecisionScopeKind.Digest;
    public VexJustification? Justification { get; set; }
    public string? ImpactStatement { get; set; }
    public string? ActionStatement { get; set; }
    public DateTime? ExpiresOn { get; set; }
    public string? Notes { get; set; }
    /// <summary>What evidence proposes (<see cref="Data.Vex.DecisionService.SuggestJustification"/>), if anything is known.</summary>
    public JustificationSuggestion? Suggestion { get; set; }

    /// <summary>Why the form cannot be submitted yet, or null.</summary>
    public string? Problem(DateTime today) => Status switch
    {
        null => "Choose a status.",
        DecisionStatus.NotAffected when Justification is null && string.IsNullOrWhiteSpace(ImpactStatement) =>
            "Not affected needs a justification or an impact statement.",
        DecisionStatus.Affected when string.IsNullOrWhiteSpace(ActionStatement) => "Affected needs an action statement (what to do about it).",
        _ when ExpiresOn is { } e && e.Date <= today.Date => "The expiry must be in the future.",
        _ => null,
    };

    public bool CanSubmit(DateTime today) => Problem(today) is null;

    /// <summary>Takes the suggested justification (the person's click, never automatic).</summary>
    public void UseSuggestion()
    {
        if (Suggestion?.Justification is not { } j) return;
        Status = DecisionStatus.NotAffected;
        Justification = j;
    }

    public DecisionInput ToInput() => new(Status ?? throw new InvalidOperationException("no status"))
    {
        Scope = Scope,
        Justification = Status == DecisionStatus.NotAffected ? Justification : null,
        ImpactStatement = Status == DecisionStatus.NotAffected ? Trim(ImpactStatement) : null,
        ActionStatement = Status == DecisionStatus.Affected ? Trim(ActionStatement) : null,
        // End of the chosen day, UTC.
        ExpiresAt = ExpiresOn is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d.Date.AddDays(1).AddSeconds(-1), DateTimeKind.Utc)) : null,
        Notes = Trim(Notes),
    };

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Evidence-based justification suggestions for a finding (<see cref="VerdictSuggestions"/> reads the stored
/// runtime verdicts).</summary>
public interface IJustificationSuggestions
{
    Task<JustificationSuggestion?> SuggestAsync(long findingId, CancellationToken ct = default);
}
