namespace Triage.Core.Domain;

public enum ScannerKind
{
    Trivy,
    Grype,
    Snyk,
}

public static class ScannerKindNames
{
    public static string ToWire(this ScannerKind s) => s switch
    {
        ScannerKind.Trivy => "trivy",
        ScannerKind.Grype => "grype",
        ScannerKind.Snyk => "snyk",
    };

    public static bool TryParse(string? value, out ScannerKind kind)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "trivy": kind = ScannerKind.Trivy; return true;
            case "grype": kind = ScannerKind.Grype; return true;
            case "snyk": kind = ScannerKind.Snyk; return true;
            default: kind = default; return false;
        }
    }
}
