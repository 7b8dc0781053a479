namespace Triage.Core.Vex;

/// <summary>The four VEX statuses (OpenVEX v0.2.0, CISA minimum requirements); every format maps onto them.</summary>
public enum VexStatus
{
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

/// <summary>The five VEX justifications for <see cref="VexStatus.NotAffected"/>: OpenVEX labels, identical to CSAF flag labels.</summary>
public enum VexJustification
{
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

/// <summary>Spec strings for <see cref="VexStatus"/> and <see cref="VexJustification"/> (STYLE.md habit 11: one switch per mapping).</summary>
public static class VexNames
{
    /// <summary>OpenVEX status string (also Triage's CLI/API wire name).</summary>
    public static string ToWire(this VexStatus s) => s switch
    {
        VexStatus.NotAffected => "not_affected",
        VexStatus.Affected => "affected",
        VexStatus.Fixed => "fixed",
        VexStatus.UnderInvestigation => "under_investigation",
    };

    public static bool TryParseStatus(string? value, out VexStatus status)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "not_affected": status = VexStatus.NotAffected; return true;
            case "affected": status = VexStatus.Affected; return true;
            case "fixed": status = VexStatus.Fixed; return true;
            case "under_investigation": status = VexStatus.UnderInvestigation; return true;
            default: status = default; return false;
        }
    }

    /// <summary>OpenVEX justification string; CSAF 2.0/2.1 <c>flags[].label</c> uses the same five strings.</summary>
    public static string ToWire(this VexJustification j) => j switch
    {
        VexJustification.ComponentNotPresent => "component_not_present",
        VexJustification.VulnerableCodeNotPresent => "vulnerable_code_not_present",
        VexJustification.VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
        VexJustification.VulnerableCodeCannotBeControlledByAdversary => "vulnerable_code_cannot_be_controlled_by_adversary",
        VexJustification.InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
    };

    public static bool TryParseJustification(string? value, out VexJustification justification)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "component_not_present": justification = VexJustification.ComponentNotPresent; return true;
            case "vulnerable_code_not_present": justification = VexJustification.VulnerableCodeNotPresent; return true;
            case "vulnerable_code_not_in_execute_path": justification = VexJustification.VulnerableCodeNotInExecutePath; return true;
            case "vulnerable_code_cannot_be_controlled_by_adversary": justification = VexJustification.VulnerableCodeCannotBeControlledByAdversary; return true;
            case "inline_mitigations_already_exist": justification = VexJustification.InlineMitigationsAlreadyExist; return true;
            default: justification = default; return false;
        }
    }
}
