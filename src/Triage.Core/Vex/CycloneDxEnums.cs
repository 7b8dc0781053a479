namespace Triage.Core.Vex;

/// <summary>CycloneDX <c>analysis.state</c> (impactAnalysisState, 1.4–1.7).</summary>
public enum CycloneDxState
{
    Resolved,
    ResolvedWithPedigree,
    Exploitable,
    InTriage,
    FalsePositive,
    NotAffected,
}

/// <summary>CycloneDX <c>analysis.justification</c> (impactAnalysisJustification): nine values, richer than OpenVEX's five.
/// Kept on a statement when a CycloneDX author gave it, so a CycloneDX export repeats it exactly.</summary>
public enum CycloneDxJustification
{
    CodeNotPresent,
    CodeNotReachable,
    RequiresConfiguration,
    RequiresDependency,
    RequiresEnvironment,
    ProtectedByCompiler,
    ProtectedAtRuntime,
    ProtectedAtPerimeter,
    ProtectedByMitigatingControl,
}

/// <summary>CycloneDX <c>analysis.response[]</c>.</summary>
public enum CycloneDxResponse
{
    CanNotFix,
    WillNotFix,
    Update,
    Rollback,
    WorkaroundAvailable,
}

public static class CycloneDxNames
{
    public static string ToWire(this CycloneDxState s) => s switch
    {
        CycloneDxState.Resolved => "resolved",
        CycloneDxState.ResolvedWithPedigree => "resolved_with_pedigree",
        CycloneDxState.Exploitable => "exploitable",
        CycloneDxState.InTriage => "in_triage",
        CycloneDxState.FalsePositive => "false_positive",
        CycloneDxState.NotAffected => "not_affected",
    };

    public static bool TryParseState(string? value, out CycloneDxState state)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "resolved": state = CycloneDxState.Resolved; return true;
            case "resolved_with_pedigree": state = CycloneDxState.ResolvedWithPedigree; return true;
            case "exploitable": state = CycloneDxState.Exploitable; return true;
            case "in_triage": state = CycloneDxState.InTriage; return true;
            case "false_positive": state = CycloneDxState.FalsePositive; return true;
            case "not_affected": state = CycloneDxState.NotAffected; return true;
            default: state = default; return false;
        }
    }

    /// <summary>State → VEX status, as Trivy does (aquasecurity/trivy pkg/vex/cyclonedx.go): resolved* → fixed,
    /// exploitable → affected, in_triage → under_investigation, false_positive and not_affected → not_affected.</summary>
    public static VexStatus ToStatus(this CycloneDxState s) => s switch
    {
        CycloneDxState.Resolved or CycloneDxState.ResolvedWithPedigree => VexStatus.Fixed,
        CycloneDxState.Exploitable => VexStatus.Affected,
        CycloneDxState.InTriage => VexStatus.UnderInvestigation,
        CycloneDxState.FalsePositive or CycloneDxState.NotAffected => VexStatus.NotAffected,
    };

    /// <summary>VEX status → the state a CycloneDX export writes.</summary>
    public static CycloneDxState ToCycloneDxState(this VexStatus s) => s switch
    {
        VexStatus.NotAffected => CycloneDxState.NotAffected,
        VexStatus.Affected => CycloneDxState.Exploitable,
        VexStatus.Fixed => CycloneDxState.Resolved,
        VexStatus.UnderInvestigation => CycloneDxState.InTriage,
    };

    public static string ToWire(this CycloneDxJustification j) => j switch
    {
        CycloneDxJustification.CodeNotPresent => "code_not_present",
        CycloneDxJustification.CodeNotReachable => "code_not_reachable",
        CycloneDxJustification.RequiresConfiguration => "requires_configuration",
        CycloneDxJustification.RequiresDependency => "requires_dependency",
        CycloneDxJustification.RequiresEnvironment => "requires_environment",
        CycloneDxJustification.ProtectedByCompiler => "protected_by_compiler",
        CycloneDxJustification.ProtectedAtRuntime => "protected_at_runtime",
        CycloneDxJustification.ProtectedAtPerimeter => "protected_at_perimeter",
        CycloneDxJustification.ProtectedByMitigatingControl => "protected_by_mitigating_control",
    };

    public static bool TryParseJustification(string? value, out CycloneDxJustification justification)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "code_not_present": justification = CycloneDxJustification.CodeNotPresent; return true;
            case "code_not_reachable": justification = CycloneDxJustification.CodeNotReachable; return true;
            case "requires_configuration": justification = CycloneDxJustification.RequiresConfiguration; return true;
            case "requires_dependency": justification = CycloneDxJustification.RequiresDependency; return true;
            case "requires_environment": justification = CycloneDxJustification.RequiresEnvironment; return true;
            case "protected_by_compiler": justification = CycloneDxJustification.ProtectedByCompiler; return true;
            case "protected_at_runtime": justification = CycloneDxJustification.ProtectedAtRuntime; return true;
            case "protected_at_perimeter": justification = CycloneDxJustification.ProtectedAtPerimeter; return true;
            case "protected_by_mitigating_control": justification = CycloneDxJustification.ProtectedByMitigatingControl; return true;
            default: justification = default; return false;
        }
    }

    public static string ToWire(this CycloneDxResponse r) => r switch
    {
        CycloneDxResponse.CanNotFix => "can_not_fix",
        CycloneDxResponse.WillNotFix => "will_not_fix",
        CycloneDxResponse.Update => "update",
        CycloneDxResponse.Rollback => "rollback",
        CycloneDxResponse.WorkaroundAvailable => "workaround_available",
    };

    public static bool TryParseResponse(string? value, out CycloneDxResponse response)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "can_not_fix": response = CycloneDxResponse.CanNotFix; return true;
            case "will_not_fix": response = CycloneDxResponse.WillNotFix; return true;
            case "update": response = CycloneDxResponse.Update; return true;
            case "rollback": response = CycloneDxResponse.Rollback; return true;
            case "workaround_available": response = CycloneDxResponse.WorkaroundAvailable; return true;
            default: response = default; return false;
        }
    }
}
