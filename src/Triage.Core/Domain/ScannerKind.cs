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

    /// <summary>The scanner's bit in <see cref="Finding.ScannerMask"/>. Stored in the database: never renumber.</summary>
    public static int Bit(this ScannerKind s) => s switch
    {
        ScannerKind.Trivy => 1,
        ScannerKind.Grype => 2,
        ScannerKind.Snyk => 4,
    };

    /// <summary>Every scanner kind, for code that maps all of them (e.g. SQL computing <see cref="Finding.ScannerMask"/>).</summary>
    public static IReadOnlyList<ScannerKind> All { get; } = [ScannerKind.Trivy, ScannerKind.Grype, ScannerKind.Snyk];

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
