namespace Triage.Core.Vex.Csaf;

/// <summary>CSAF <c>remediations[].category</c> (2.0, plus 2.1's fix_planned and optional_patch).</summary>
public enum CsafRemediationCategory
{
    Mitigation,
    NoFixPlanned,
    NoneAvailable,
    VendorFix,
    Workaround,
    FixPlanned,
    OptionalPatch,
}

public static class CsafNames
{
    public static string ToWire(this CsafRemediationCategory c) => c switch
    {
        CsafRemediationCategory.Mitigation => "mitigation",
        CsafRemediationCategory.NoFixPlanned => "no_fix_planned",
        CsafRemediationCategory.NoneAvailable => "none_available",
        CsafRemediationCategory.VendorFix => "vendor_fix",
        CsafRemediationCategory.Workaround => "workaround",
        CsafRemediationCategory.FixPlanned => "fix_planned",
        CsafRemediationCategory.OptionalPatch => "optional_patch",
    };

    public static bool TryParseRemediation(string? value, out CsafRemediationCategory category)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "mitigation": category = CsafRemediationCategory.Mitigation; return true;
            case "no_fix_planned": category = CsafRemediationCategory.NoFixPlanned; return true;
            case "none_available": category = CsafRemediationCategory.NoneAvailable; return true;
            case "vendor_fix": category = CsafRemediationCategory.VendorFix; return true;
            case "workaround": category = CsafRemediationCategory.Workaround; return true;
            case "fix_planned": category = CsafRemediationCategory.FixPlanned; return true;
            case "optional_patch": category = CsafRemediationCategory.OptionalPatch; return true;
            default: category = default; return false;
        }
    }

    /// <summary>Remediation category → the CycloneDX response that says the same, kept on the statement so a CSAF or
    /// CycloneDX export can say it again. Mitigation has no response of its own and keeps only its text.</summary>
    public static CycloneDxResponse? ToResponse(this CsafRemediationCategory c) => c switch
    {
        CsafRemediationCategory.VendorFix or CsafRemediationCategory.OptionalPatch => CycloneDxResponse.Update,
        CsafRemediationCategory.Workaround => CycloneDxResponse.WorkaroundAvailable,
        CsafRemediationCategory.NoFixPlanned => CycloneDxResponse.WillNotFix,
        CsafRemediationCategory.NoneAvailable => CycloneDxResponse.CanNotFix,
        CsafRemediationCategory.Mitigation or CsafRemediationCategory.FixPlanned => null,
    };

    /// <summary>The remediation category a CSAF export writes for an affected statement: from its first CycloneDX response
    /// in a fixed order of preference, else "mitigation" (the action statement then stands for itself; 2.0 has no
    /// category meaning "see text").</summary>
    public static CsafRemediationCategory FromResponses(IReadOnlyList<CycloneDxResponse> responses)
    {
        if (responses.Contains(CycloneDxResponse.Update)) return CsafRemediationCategory.VendorFix;
        if (responses.Contains(CycloneDxResponse.Rollback)) return CsafRemediationCategory.VendorFix;
        if (responses.Contains(CycloneDxResponse.WorkaroundAvailable)) return CsafRemediationCategory.Workaround;
        if (responses.Contains(CycloneDxResponse.WillNotFix)) return CsafRemediationCategory.NoFixPlanned;
        if (responses.Contains(CycloneDxResponse.CanNotFix)) return CsafRemediationCategory.NoneAvailable;
        return CsafRemediationCategory.Mitigation;
    }
}
