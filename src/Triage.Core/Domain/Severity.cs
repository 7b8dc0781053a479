namespace Triage.Core.Domain;

/// <summary>Normalised severity. Ordered so that a larger value is worse.</summary>
public enum Severity
{
    Unknown = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Critical = 4,
}

public static class SeverityNames
{
    /// <summary>The lower-case name used in the CLI and API contract.</summary>
    public static string ToWire(this Severity s) => s switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        Severity.Unknown => "unknown",
    };

    /// <summary>Parses a scanner's severity word. Grype's "Negligible" and Trivy's numeric vendor
    /// severities are folded into the five levels; anything unrecognised is Unknown, never an error.</summary>
    public static Severity Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Severity.Unknown;
        var v = value.Trim();
        if (v.Equals("critical", StringComparison.OrdinalIgnoreCase)) return Severity.Critical;
        if (v.Equals("high", StringComparison.OrdinalIgnoreCase) || v.Equals("important", StringComparison.OrdinalIgnoreCase)) return Severity.High;
        if (v.Equals("medium", StringComparison.OrdinalIgnoreCase) || v.Equals("moderate", StringComparison.OrdinalIgnoreCase)) return Severity.Medium;
        if (v.Equals("low", StringComparison.OrdinalIgnoreCase) || v.Equals("negligible", StringComparison.OrdinalIgnoreCase)) return Severity.Low;
        return Severity.Unknown;
    }

    /// <summary>Trivy's VendorSeverity numbers: 0 unknown, 1 low, 2 medium, 3 high, 4 critical.</summary>
    public static Severity FromTrivyNumber(int n) => n switch
    {
        1 => Severity.Low,
        2 => Severity.Medium,
        3 => Severity.High,
        4 => Severity.Critical,
        _ => Severity.Unknown,
    };

    /// <summary>CVSS base score to qualitative severity (CVSS v3/v4 rating scale).</summary>
    public static Severity FromCvssScore(double score) => score switch
    {
        >= 9.0 => Severity.Critical,
        >= 7.0 => Severity.High,
        >= 4.0 => Severity.Medium,
        > 0.0 => Severity.Low,
        _ => Severity.Unknown,
    };
}
