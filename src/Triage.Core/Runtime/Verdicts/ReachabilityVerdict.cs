namespace Triage.Core.Runtime.Verdicts;

/// <summary>
/// What runtime and code evidence says about a finding's package in a running image (docs/decisions/030-runtime-verdict-model.md).
/// Numeric order is risk order: a larger value is closer to exploitable use. Unknown is the absence of evidence and
/// never lowers priority.
/// </summary>
public enum ReachabilityVerdict
{
    Unknown = 0,
    /// <summary>Not in the running image: removed by slimming, or the vulnerable package is not even imported.</summary>
    NotPresent = 1,
    /// <summary>Installed, and a complete profile (or a symbol-level call graph) shows it is never used.</summary>
    PresentNotLoaded = 2,
    /// <summary>Package files were opened or executed at runtime.</summary>
    Loaded = 3,
    /// <summary>A vulnerable function is called (govulncheck symbol-level trace).</summary>
    Reachable = 4,
}

/// <summary>How much a verdict can be trusted.</summary>
public enum VerdictConfidence
{
    Low = 0,
    Medium = 1,
    High = 2,
}

/// <summary>The VEX justification a verdict suggests for a person to confirm (OpenVEX / CSAF flag names).
/// Never applied automatically: NotPresent and PresentNotLoaded do not close findings.</summary>
public enum ProposedJustification
{
    /// <summary>No file of the package is in the running image.</summary>
    ComponentNotPresent,
    /// <summary>The package is there in part, but not its code (only configuration kept), or the vulnerable Go package is not imported.</summary>
    VulnerableCodeNotPresent,
    /// <summary>Present but never loaded (complete profile), or imported but the vulnerable symbol is never called.</summary>
    VulnerableCodeNotInExecutePath,
}

public static class VerdictNames
{
    public static string ToWire(this ReachabilityVerdict v) => v switch
    {
        ReachabilityVerdict.Unknown => "unknown",
        ReachabilityVerdict.NotPresent => "not_present",
        ReachabilityVerdict.PresentNotLoaded => "present_not_loaded",
        ReachabilityVerdict.Loaded => "loaded",
        ReachabilityVerdict.Reachable => "reachable",
    };

    public static bool TryParse(string? value, out ReachabilityVerdict verdict)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "unknown": verdict = ReachabilityVerdict.Unknown; return true;
            case "not_present": verdict = ReachabilityVerdict.NotPresent; return true;
            case "present_not_loaded": verdict = ReachabilityVerdict.PresentNotLoaded; return true;
            case "loaded": verdict = ReachabilityVerdict.Loaded; return true;
            case "reachable": verdict = ReachabilityVerdict.Reachable; return true;
            default: verdict = ReachabilityVerdict.Unknown; return false;
        }
    }

    public static string ToWire(this VerdictConfidence c) => c switch
    {
        VerdictConfidence.Low => "low",
        VerdictConfidence.Medium => "medium",
        VerdictConfidence.High => "high",
    };

    public static string ToWire(this ProposedJustification j) => j switch
    {
        ProposedJustification.ComponentNotPresent => "component_not_present",
        ProposedJustification.VulnerableCodeNotPresent => "vulnerable_code_not_present",
        ProposedJustification.VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
    };
}

/// <summary>One source's claim about a finding.</summary>
/// <param name="Source">"govulncheck", "slim-creport", "file-access:tetragon"…</param>
/// <param name="Supports">The verdict this source alone supports.</param>
/// <param name="Detail">Human-readable reason ("2 files used at runtime: /usr/lib/…/libssl.so.1.1 (read)…").</param>
public sealed record VerdictSource(string Source, ReachabilityVerdict Supports, VerdictConfidence Confidence, string Detail, ProposedJustification? Justification = null);

/// <summary>The verdict for one finding, with every source consulted and what each supports.</summary>
public sealed record VerdictResult(
    ReachabilityVerdict Verdict,
    VerdictConfidence Confidence,
    IReadOnlyList<VerdictSource> Sources,
    ProposedJustification? ProposedJustification,
    IReadOnlyList<string> Notes)
{
    /// <summary>True when the verdict suggests a not_affected VEX statement; a person must confirm it.</summary>
    public bool NeedsConfirmation => ProposedJustification is not null;

    public static VerdictResult Unknown(IReadOnlyList<string> notes) => new(ReachabilityVerdict.Unknown, VerdictConfidence.Low, [], null, notes);
}
