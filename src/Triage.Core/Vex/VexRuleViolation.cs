namespace Triage.Core.Vex;

/// <summary>Why a statement was refused. Codes are stable (API problem types, CLI JSON); the CLI prints the reason and exits 2.</summary>
public enum VexRuleCode
{
    MissingVulnerability,
    MissingAuthor,
    MissingScope,
    /// <summary>not_affected without a justification or an impact statement (OpenVEX "MUST", CSAF VEX profile test 6.1.27.9).</summary>
    NotAffectedWithoutJustification,
    /// <summary>affected without an action statement (OpenVEX "MUST", CSAF VEX profile test 6.1.27.10).</summary>
    AffectedWithoutActionStatement,
    /// <summary>A justification on a status other than not_affected.</summary>
    JustificationWithoutNotAffected,
    /// <summary>Expiry at or before the statement's own time.</summary>
    ExpiryNotAfterTimestamp,
    /// <summary>A timestamp that was never set.</summary>
    MissingTimestamp,
}

public sealed record VexRuleViolation(VexRuleCode Code, string Reason)
{
    public string CodeName => Code switch
    {
        VexRuleCode.MissingVulnerability => "missing_vulnerability",
        VexRuleCode.MissingAuthor => "missing_author",
        VexRuleCode.MissingScope => "missing_scope",
        VexRuleCode.NotAffectedWithoutJustification => "not_affected_without_justification",
        VexRuleCode.AffectedWithoutActionStatement => "affected_without_action_statement",
        VexRuleCode.JustificationWithoutNotAffected => "justification_without_not_affected",
        VexRuleCode.ExpiryNotAfterTimestamp => "expiry_not_after_timestamp",
        VexRuleCode.MissingTimestamp => "missing_timestamp",
    };

    public override string ToString() => $"{CodeName}: {Reason}";
}

/// <summary>Thrown by <see cref="VexStatement.Create"/>; carries the typed <see cref="Violation"/>.</summary>
public sealed class VexRuleException(VexRuleViolation violation) : Exception(violation.Reason)
{
    public VexRuleViolation Violation { get; } = violation;
}
