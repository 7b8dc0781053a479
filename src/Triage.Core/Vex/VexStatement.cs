namespace Triage.Core.Vex;

/// <summary>What a caller fills in to record a decision; <see cref="VexStatement.Create"/> checks it.</summary>
public sealed record VexStatementDraft
{
    /// <summary>Set when re-creating a stored statement; a new one gets a fresh id.</summary>
    public Guid? Id { get; init; }
    public VulnerabilityRef? Vulnerability { get; init; }
    public VexScope? Scope { get; init; }
    public VexSubcomponent? Subcomponent { get; init; }
    public VexStatus Status { get; init; }
    public VexJustification? Justification { get; init; }
    /// <summary>The CycloneDX justification when the author gave one (import from CycloneDX, or a UI that offers all nine).</summary>
    public CycloneDxJustification? CycloneDxJustification { get; init; }
    public string? ImpactStatement { get; init; }
    public string? ActionStatement { get; init; }
    public IReadOnlyList<CycloneDxResponse>? Responses { get; init; }
    public string? Author { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public string? Notes { get; init; }
    public VexSource? Source { get; init; }
}

/// <summary>
/// One VEX decision: a status for a vulnerability within a scope (and optionally one package), with its reasons.
/// Immutable; made only through <see cref="Create"/>/<see cref="TryCreate"/>, which refuse what VEX forbids: not_affected
/// without a justification or impact statement, affected without an action statement, a justification on another status.
/// A change of mind is a new statement with a later timestamp (history is append-only, see <see cref="VexHistory"/>).
/// </summary>
public sealed class VexStatement
{
    private VexStatement(VexStatementDraft d, VulnerabilityRef vulnerability, VexScope scope, string author)
    {
        Id = d.Id ?? Guid.CreateVersion7(d.Timestamp);
        Vulnerability = vulnerability;
        Scope = scope;
        Subcomponent = d.Subcomponent;
        Status = d.Status;
        Justification = d.Justification;
        CycloneDxJustification = d.CycloneDxJustification;
        ImpactStatement = Clean(d.ImpactStatement);
        ActionStatement = Clean(d.ActionStatement);
        Responses = (d.Responses ?? []).Distinct().Order().ToArray();
        Author = author;
        Timestamp = d.Timestamp;
        ExpiresAt = d.ExpiresAt;
        Notes = Clean(d.Notes);
        Source = d.Source ?? new VexSource.User(author);
    }

    public Guid Id { get; }
    public VulnerabilityRef Vulnerability { get; }
    public VexScope Scope { get; }
    public VexSubcomponent? Subcomponent { get; }
    public VexStatus Status { get; }
    public VexJustification? Justification { get; }
    public CycloneDxJustification? CycloneDxJustification { get; }
    public string? ImpactStatement { get; }
    public string? ActionStatement { get; }
    public IReadOnlyList<CycloneDxResponse> Responses { get; }
    public string Author { get; }
    /// <summary>When the statement was made: the key of the OpenVEX time series.</summary>
    public DateTimeOffset Timestamp { get; }
    public DateTimeOffset? ExpiresAt { get; }
    public string? Notes { get; }
    public VexSource Source { get; }

    /// <summary>The justification to write in OpenVEX/CSAF: the OpenVEX one, else the mapped CycloneDX one (may be none).</summary>
    public JustificationMapping? EffectiveJustification => Justification is { } j
        ? new JustificationMapping(j, true, null, null)
        : CycloneDxJustification is { } c ? JustificationMapping.FromCycloneDx(c) : null;

    /// <summary>The impact statement to write in OpenVEX/CSAF: the author's text, plus the meaning of a CycloneDX
    /// justification that has no exact OpenVEX equivalent (so nothing the author said is lost).</summary>
    public string? ImpactStatementForExport
    {
        get
        {
            var extra = Justification is null ? EffectiveJustification?.ImpactText : null;
            if (extra is null) return ImpactStatement;
            return ImpactStatement is null ? extra : $"{ImpactStatement} ({extra})";
        }
    }

    public bool IsExpired(DateTimeOffset asOf) => ExpiresAt is { } e && e <= asOf;

    public static VexStatement Create(VexStatementDraft draft) =>
        TryCreate(draft, out var statement, out var violation) ? statement : throw new VexRuleException(violation);

    public static bool TryCreate(VexStatementDraft draft, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VexStatement? statement,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out VexRuleViolation? violation)
    {
        statement = null;
        violation = Check(draft);
        if (violation is not null) return false;
        statement = new VexStatement(draft, draft.Vulnerability!, draft.Scope!, draft.Author!.Trim());
        return true;
    }

    /// <summary>The rules, in the order a person fixes them. Null when the draft is acceptable.</summary>
    public static VexRuleViolation? Check(VexStatementDraft d)
    {
        if (d.Vulnerability is null)
            return new(VexRuleCode.MissingVulnerability, "A VEX statement needs a vulnerability id.");
        if (d.Scope is null)
            return new(VexRuleCode.MissingScope, "A VEX statement needs a scope (an image digest, a repository, a team, or global).");
        if (string.IsNullOrWhiteSpace(d.Author))
            return new(VexRuleCode.MissingAuthor, "A VEX statement needs an author.");
        if (d.Timestamp == default)
            return new(VexRuleCode.MissingTimestamp, "A VEX statement needs the time it was made.");
        var hasJustification = d.Justification is not null || d.CycloneDxJustification is not null;
        if (hasJustification && d.Status != VexStatus.NotAffected)
            return new(VexRuleCode.JustificationWithoutNotAffected,
                $"A justification explains why a product is not affected; it cannot go with status {d.Status.ToWire()}.");
        if (d.Status == VexStatus.NotAffected && !hasJustification && Clean(d.ImpactStatement) is null)
            return new(VexRuleCode.NotAffectedWithoutJustification,
                $"Status not_affected for {d.Vulnerability.Id} needs a justification (component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist) or an impact statement.");
        if (d.Status == VexStatus.Affected && Clean(d.ActionStatement) is null)
            return new(VexRuleCode.AffectedWithoutActionStatement,
                $"Status affected for {d.Vulnerability.Id} needs an action statement: what users should do (update, mitigate, or that no fix is planned).");
        if (d.ExpiresAt is { } e && e <= d.Timestamp)
            return new(VexRuleCode.ExpiryNotAfterTimestamp, $"The expiry {e:O} is not after the statement's time {d.Timestamp:O}.");
        return null;
    }

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    public override string ToString() =>
        $"{Vulnerability.Id} {Status.ToWire()} in {Scope.Describe()}" + (Subcomponent is null ? "" : $" for {Subcomponent}") + $" by {Author} at {Timestamp:O}";
}
