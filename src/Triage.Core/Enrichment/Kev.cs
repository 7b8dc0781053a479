namespace Triage.Core.Enrichment;

/// <summary>CISA's knownRansomwareCampaignUse: "Known" or "Unknown" (the catalog uses no other value).</summary>
public enum RansomwareUse
{
    Unknown = 0,
    Known = 1,
}

public static class RansomwareUseNames
{
    public static string ToWire(this RansomwareUse r) => r switch
    {
        RansomwareUse.Unknown => "unknown",
        RansomwareUse.Known => "known",
    };

    /// <summary>Anything but "Known" is Unknown: CISA only asserts known use.</summary>
    public static RansomwareUse Parse(string? value) =>
        string.Equals(value?.Trim(), "Known", StringComparison.OrdinalIgnoreCase) ? RansomwareUse.Known : RansomwareUse.Unknown;
}

/// <summary>One CISA KEV entry.</summary>
public sealed record KevEntry(
    string CveId,
    DateOnly DateAdded,
    DateOnly? DueDate,
    RansomwareUse KnownRansomwareCampaignUse,
    string? VendorProject,
    string? Product,
    string? VulnerabilityName,
    string? RequiredAction,
    IReadOnlyList<string> Cwes);

/// <summary>The CISA Known Exploited Vulnerabilities catalog.</summary>
public sealed class KevCatalog
{
    public string? Title { get; init; }
    /// <summary>e.g. "2025.08.25"; the CSV form does not carry it.</summary>
    public string? CatalogVersion { get; init; }
    public DateTimeOffset? DateReleased { get; init; }
    /// <summary>The count the catalog declares (JSON only); <see cref="Entries"/>.Count is what was read.</summary>
    public int? DeclaredCount { get; init; }
    /// <summary>"json" or "csv".</summary>
    public required string Format { get; init; }
    public Dictionary<string, KevEntry> Entries { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Warnings { get; } = [];

    public KevEntry? Find(string cveId) => Entries.GetValueOrDefault(cveId);
}
