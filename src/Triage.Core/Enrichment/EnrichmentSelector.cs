namespace Triage.Core.Enrichment;

/// <summary>The exploitation data that applies to one finding.</summary>
/// <param name="EpssCve">The CVE whose EPSS score was chosen.</param>
/// <param name="KevCves">Every CVE of the alias group that is in KEV, sorted.</param>
public sealed record EnrichmentValues(
    double? Epss,
    double? EpssPercentile,
    string? EpssCve,
    bool Kev,
    DateOnly? KevDateAdded,
    DateOnly? KevDueDate,
    RansomwareUse KevRansomware,
    IReadOnlyList<string> KevCves)
{
    public static EnrichmentValues None { get; } = new(null, null, null, false, null, null, RansomwareUse.Unknown, []);
}

/// <summary>
/// Picks EPSS and KEV values for a finding from its alias group (the lead resolves the group in the database).
/// Rule (as DefectDojo Pro documents it, tie-break as Dependency-Track ADR-022): the highest EPSS among the group's
/// CVEs, with that CVE's own percentile (ties: higher percentile, then smaller CVE id); KEV if any CVE is listed;
/// the earliest dateAdded and due date; ransomware Known if any listed CVE says so. Only CVE ids are looked up:
/// EPSS and KEV know no other ids.
/// </summary>
public static class EnrichmentSelector
{
    public static EnrichmentValues Select(IEnumerable<string> aliases, Func<string, EpssScore?> epss, Func<string, KevEntry?> kev)
    {
        EpssScore? best = null;
        var listed = new List<KevEntry>();
        foreach (var cve in aliases.Where(a => a.StartsWith("CVE-", StringComparison.OrdinalIgnoreCase))
                     .Select(a => a.Trim().ToUpperInvariant()).Distinct(StringComparer.Ordinal))
        {
            if (epss(cve) is { } s && (best is null || Better(s, best.Value))) best = s;
            if (kev(cve) is { } k) listed.Add(k);
        }
        return new EnrichmentValues(
            best?.Epss,
            best?.Percentile,
            best?.Cve,
            listed.Count > 0,
            listed.Count > 0 ? listed.Min(k => k.DateAdded) : null,
            listed.Where(k => k.DueDate is not null).Select(k => k.DueDate).DefaultIfEmpty().Min(),
            listed.Any(k => k.KnownRansomwareCampaignUse == RansomwareUse.Known) ? RansomwareUse.Known : RansomwareUse.Unknown,
            [.. listed.Select(k => k.CveId).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Convenience overload over parsed feeds.</summary>
    public static EnrichmentValues Select(IEnumerable<string> aliases, EpssSnapshot? epss, KevCatalog? kev) =>
        Select(aliases, c => epss?.Find(c), c => kev?.Find(c));

    private static bool Better(EpssScore a, EpssScore b) =>
        a.Epss > b.Epss || (a.Epss == b.Epss && (a.Percentile > b.Percentile || (a.Percentile == b.Percentile && string.CompareOrdinal(a.Cve, b.Cve) < 0)));
}
