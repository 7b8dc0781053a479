namespace Triage.Core.Domain;

/// <summary>What one scanner says about a fix. Kept per observation so disagreements stay visible.</summary>
public enum FixState
{
    Unknown = 0,
    /// <summary>A fixed version exists (Trivy status fixed, Grype fix.state fixed, Snyk isUpgradable/fixedIn).</summary>
    Fixed = 1,
    /// <summary>Affected and no fix yet (Trivy affected, Grype not-fixed).</summary>
    NotFixed = 2,
    /// <summary>The vendor will not fix (Trivy will_not_fix, Grype wont-fix).</summary>
    WontFix = 3,
    /// <summary>Fix deferred by the vendor (Trivy fix_deferred).</summary>
    Deferred = 4,
    /// <summary>The distribution or package is end of life (Trivy end_of_life).</summary>
    EndOfLife = 5,
}

public static class FixStateNames
{
    public static string ToWire(this FixState s) => s switch
    {
        FixState.Unknown => "unknown",
        FixState.Fixed => "fixed",
        FixState.NotFixed => "not-fixed",
        FixState.WontFix => "wont-fix",
        FixState.Deferred => "deferred",
        FixState.EndOfLife => "end-of-life",
    };
}
